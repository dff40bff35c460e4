;; nomem.wat: a test guest with NO memory at all (none defined, none imported). Every memory64
;; function that writes to or reads from guest memory must answer NO_GUEST_MEMORY (-5) when this
;; guest calls it, whatever the arguments.
(module
  (import "env" "memory64_load_layer"
    (func $load_layer (param $layer_id i32) (param $dst_ptr i32) (param $max_size i32) (result i32)))
  (import "env" "memory64_read"
    (func $read (param $offset i64) (param $dst_ptr i32) (param $len i32) (result i32)))
  (import "env" "memory64_stats_into"
    (func $stats_into (param $dst_ptr i32) (param $len i32) (result i32)))
  (import "env" "memory64_load_layer_range"
    (func $load_layer_range (param $layer_id i32) (param $layer_offset i64) (param $dst_ptr i32)
      (param $len i32) (result i32)))
  (import "env" "memory64_layer_find"
    (func $layer_find (param $name_ptr i32) (param $name_len i32) (result i32)))
  (import "env" "memory64_tensor_info"
    (func $tensor_info (param $name_ptr i32) (param $name_len i32) (param $dst_ptr i32)
      (param $dst_len i32) (result i32)))

  (func (export "load_layer") (param i32 i32 i32) (result i32)
    (call $load_layer (local.get 0) (local.get 1) (local.get 2)))
  (func (export "read") (param i64 i32 i32) (result i32)
    (call $read (local.get 0) (local.get 1) (local.get 2)))
  (func (export "stats_into") (param i32 i32) (result i32)
    (call $stats_into (local.get 0) (local.get 1)))
  (func (export "load_layer_range") (param i32 i64 i32 i32) (result i32)
    (call $load_layer_range (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "layer_find") (param i32 i32) (result i32)
    (call $layer_find (local.get 0) (local.get 1)))
  (func (export "tensor_info") (param i32 i32 i32 i32) (result i32)
    (call $tensor_info (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
)
