//! Entry point of the wasm binary: installs the panic hook and mounts the app.
//!
//! Nothing else belongs here; the app itself is in `lib.rs`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(web::App);
}
