package dev.memory64.llama.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the commands of this package share: running one as a program, reading its options. */
final class Commands {

    private Commands() {}

    /** A command: its arguments in, its exit code out, what it prints on out and err. */
    @FunctionalInterface
    interface Command {
        /**
         * Runs the command.
         *
         * @return the process's exit code
         */
        int run(String[] args, PrintStream out, PrintStream err)
                throws IOException, InterruptedException;
    }

    /**
     * Runs a command as the program: exits with its code, or with 1 after printing {@code name:
     * reason} on standard error where it throws.
     */
    static void exit(String name, Command command, String[] args) {
        int code;
        try {
            code = command.run(args, System.out, System.err);
        } catch (IOException | RuntimeException e) {
            System.err.println(name + ": " + (e.getMessage() != null ? e.getMessage() : e));
            code = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    /**
     * The arguments as {@code --name value} pairs, in order.
     *
     * @throws IllegalArgumentException naming the option, with the usage, where one has no value
     */
    static List<Map.Entry<String, String>> pairs(String[] args, String usage) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value\n" + usage);
            }
            pairs.add(Map.entry(args[i], args[i + 1]));
        }
        return pairs;
    }

    /** The failure for an option the command does not know, with the usage. */
    static IllegalArgumentException unknown(String option, String usage) {
        return new IllegalArgumentException("unknown option " + option + "\n" + usage);
    }
}
