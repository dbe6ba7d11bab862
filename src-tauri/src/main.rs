// Prevents an extra console window on Windows in release.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // WebKitGTK paints the page on the CPU instead of compositing it on the GPU: the till's
        // screens are simple, and this saves ~80 MB in WebKit's web process (measured with
        // scripts/bench-app.sh) and avoids the blank windows some GPU drivers and VMs give.
        // Set the variable (to any value) to choose otherwise.
        // SAFETY: first thing in main, before any thread exists that could read the environment.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        };
    }
    kasir_app::run();
}
