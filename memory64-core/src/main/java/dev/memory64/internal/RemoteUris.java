package dev.memory64.internal;

import java.net.URI;

/**
 * A remote object's URI as messages and logs show it: a presigned URL's query (its signature, its
 * credential's id) and any user-info are credentials of a kind, so their values are left out; the
 * names stay, to tell one URL from another.
 */
public final class RemoteUris {

    private RemoteUris() {}

    /**
     * Returns {@code uri} with every query parameter's value and any user-info replaced by {@code
     * …}: {@code https://h/m.gguf?X-Amz-Signature=…}; unchanged when it has neither.
     *
     * @param uri a remote object's URI
     * @return the URI as messages and logs show it
     */
    public static String shown(URI uri) {
        String query = uri.getRawQuery();
        String userInfo = uri.getRawUserInfo();
        if (query == null && userInfo == null) {
            return uri.toString();
        }
        StringBuilder b = new StringBuilder();
        if (uri.getScheme() != null) {
            b.append(uri.getScheme()).append(':');
        }
        String authority = uri.getRawAuthority();
        if (authority != null) {
            b.append("//");
            b.append(
                    userInfo == null
                            ? authority
                            : "…@" + authority.substring(userInfo.length() + 1));
        }
        b.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        if (query != null) {
            String separator = "?";
            for (String parameter : query.split("&", -1)) {
                int equals = parameter.indexOf('=');
                b.append(separator)
                        .append(equals < 0 ? parameter : parameter.substring(0, equals) + "=…");
                separator = "&";
            }
        }
        return b.toString();
    }
}
