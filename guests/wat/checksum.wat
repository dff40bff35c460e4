;; checksum.wat: a test guest that streams a layer through a buffer of its own memory and returns
;; the memory64 checksum of the layer's bytes (defined in guests/README.md), the same value the
;; host computes over the layer and the C example guest prints.
;;
;;   checksum_layer(layer_id, buf_ptr, buf_len) -> i64
;;     asks memory64_layer_size, then loads the layer with memory64_load_layer_range in chunks of
;;     buf_len rounded down to a multiple of 8 (so chunked and whole-range checksums agree).
;;     Returns the checksum, or a negative error code as i64: the host's code, or
;;     BUFFER_TOO_SMALL (-3) when a non-empty layer meets a buffer of fewer than 8 bytes.
;;     A checksum can itself be a negative i64; last_error() tells the two apart.
;;   last_error() -> i32
;;     0 if the last checksum_layer call succeeded, else the error code it returned.
;;
;; Memory: 16 pages (1 MiB), fixed.
(module
  (import "env" "memory64_layer_size"
    (func $layer_size (param $layer_id i32) (result i64)))
  (import "env" "memory64_load_layer_range"
    (func $load_layer_range (param $layer_id i32) (param $layer_offset i64) (param $dst_ptr i32)
      (param $len i32) (result i32)))

  (memory (export "memory") 16 16)

  (global $last_error (mut i32) (i32.const 0))

  (func $fail (param $code i32) (result i64)
    (global.set $last_error (local.get $code))
    (i64.extend_i32_s (local.get $code)))

  (func (export "last_error") (result i32)
    (global.get $last_error))

  (func (export "checksum_layer")
    (param $layer_id i32) (param $buf_ptr i32) (param $buf_len i32) (result i64)
    (local $size i64)  ;; the layer's size
    (local $chunk i64) ;; bytes per load: buf_len rounded down to a multiple of 8
    (local $off i64)   ;; bytes of the layer hashed so far
    (local $n i32)     ;; bytes in the current chunk
    (local $r i32)     ;; result of the load
    (local $i i32)     ;; offset of the current word in the buffer
    (local $j i32)     ;; bytes of a last, partial word
    (local $w i64)     ;; the current word, little-endian, zero-padded
    (local $h i64)     ;; the running hash
    (global.set $last_error (i32.const 0))
    (local.set $size (call $layer_size (local.get $layer_id)))
    (if (i64.lt_s (local.get $size) (i64.const 0))
      (then (return (call $fail (i32.wrap_i64 (local.get $size))))))
    (local.set $chunk (i64.extend_i32_u (i32.and (local.get $buf_len) (i32.const -8))))
    (if (i32.and (i64.eqz (local.get $chunk)) (i64.ne (local.get $size) (i64.const 0)))
      (then (return (call $fail (i32.const -3)))))
    (local.set $h (i64.const 0xcbf29ce484222325))
    (block $layer_done
      (loop $chunks
        (br_if $layer_done (i64.ge_u (local.get $off) (local.get $size)))
        ;; n = min(size - off, chunk)
        (local.set $n (i32.wrap_i64
          (select (local.get $chunk) (i64.sub (local.get $size) (local.get $off))
            (i64.gt_u (i64.sub (local.get $size) (local.get $off)) (local.get $chunk)))))
        (local.set $r (call $load_layer_range
          (local.get $layer_id) (local.get $off) (local.get $buf_ptr) (local.get $n)))
        (if (i32.lt_s (local.get $r) (i32.const 0))
          (then (return (call $fail (local.get $r)))))
        (local.set $i (i32.const 0))
        (block $chunk_done
          (loop $words
            (br_if $chunk_done (i32.ge_u (local.get $i) (local.get $n)))
            (if (i32.ge_u (i32.sub (local.get $n) (local.get $i)) (i32.const 8))
              (then
                (local.set $w (i64.load (i32.add (local.get $buf_ptr) (local.get $i)))))
              (else
                ;; a last, partial word: only its bytes were loaded, so read them one by one
                (local.set $w (i64.const 0))
                (local.set $j (i32.sub (local.get $n) (local.get $i)))
                (loop $bytes
                  (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                  (local.set $w (i64.or (i64.shl (local.get $w) (i64.const 8))
                    (i64.load8_u (i32.add (i32.add (local.get $buf_ptr) (local.get $i))
                      (local.get $j)))))
                  (br_if $bytes (local.get $j)))))
            (local.set $h (i64.mul (i64.xor (local.get $h) (local.get $w))
              (i64.const 0x100000001b3)))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $words)))
        (local.set $off (i64.add (local.get $off) (i64.extend_i32_u (local.get $n))))
        (br $chunks)))
    (i64.xor (local.get $h) (local.get $size)))
)
