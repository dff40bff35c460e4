;; threads.wat: a guest for two or more threads over one shared memory (threads proposal), each
;; thread running its own instance of it, all importing the same memory. Build with
;; wat2wasm --enable-threads (scripts/build-guests.sh reads the line below).
;; build-flags: --enable-threads
;;
;; Memory (imported as env.memory): 1 page initially, at most 4, shared.
;; Layout: 0 i32 counter, 8 i64 counter, 16 u8 counter, 18 u16 counter (8- and 16-bit lanes of the
;; same 32-bit word as the u8 one at 16, so the threads contend on one word through two lanes),
;; 24 i32 counter incremented by a compare-exchange loop, 32 the i32 the handshake waits on.
(module
  (import "env" "memory" (memory 1 4 shared))
  (import "env" "memory64_load_layer"
    (func $load_layer (param $layer_id i32) (param $dst_ptr i32) (param $max_size i32) (result i32)))

  ;; add(n): n times, atomically adds 1 to each counter; returns n.
  (func (export "add") (param $n i32) (result i32)
    (local $i i32)
    (local $old i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (drop (i64.atomic.rmw.add (i32.const 8) (i64.const 1)))
        (drop (i32.atomic.rmw8.add_u (i32.const 16) (i32.const 1)))
        (drop (i32.atomic.rmw16.add_u (i32.const 18) (i32.const 1)))
        ;; compare-exchange loop: read, then replace old with old + 1 until no one came between
        (loop $retry
          (local.set $old (i32.atomic.load (i32.const 24)))
          (br_if $retry
            (i32.ne
              (i32.atomic.rmw.cmpxchg (i32.const 24) (local.get $old)
                (i32.add (local.get $old) (i32.const 1)))
              (local.get $old))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; counters: each counter, read atomically, for the host to compare.
  (func (export "counter32") (result i32) (i32.atomic.load (i32.const 0)))
  (func (export "counter64") (result i64) (i64.atomic.load (i32.const 8)))
  (func (export "counter8") (result i32) (i32.atomic.load8_u (i32.const 16)))
  (func (export "counter16") (result i32) (i32.atomic.load16_u (i32.const 18)))
  (func (export "counter_cas") (result i32) (i32.atomic.load (i32.const 24)))

  ;; wait(expected, timeout_ns): memory.atomic.wait32 at 32; 0 woken, 1 not equal, 2 timed out.
  (func (export "wait") (param $expected i32) (param $timeout i64) (result i32)
    (memory.atomic.wait32 (i32.const 32) (local.get $expected) (local.get $timeout)))

  ;; wait64(expected, timeout_ns): memory.atomic.wait64 at 8 (the i64 counter).
  (func (export "wait64") (param $expected i64) (param $timeout i64) (result i32)
    (memory.atomic.wait64 (i32.const 8) (local.get $expected) (local.get $timeout)))

  ;; wake(count): memory.atomic.notify at 32; returns how many threads it woke.
  (func (export "wake") (param $count i32) (result i32)
    (memory.atomic.notify (i32.const 32) (local.get $count)))

  ;; grow(pages) and pages(): memory.grow and memory.size.
  (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages)))
  (func (export "pages") (result i32) (memory.size))

  ;; last_word(): atomically reads the last 32-bit word of the memory at its current size.
  (func (export "last_word") (result i32)
    (i32.atomic.load (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4))))

  ;; set_last_word(v): atomically writes the last 32-bit word of the memory at its current size.
  (func (export "set_last_word") (param $v i32)
    (i32.atomic.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4))
      (local.get $v)))

  ;; load_layer(id, ptr, max): memory64_load_layer into the shared memory.
  (func (export "load_layer") (param $id i32) (param $ptr i32) (param $max i32) (result i32)
    (call $load_layer (local.get $id) (local.get $ptr) (local.get $max))))
