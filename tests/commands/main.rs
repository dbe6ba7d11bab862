//! Every command through Tauri's mock runtime: arguments as the UI sends them (JSON), results
//! and typed errors as the UI receives them.

mod admin;
mod coupons;
mod members;
mod money;
mod printing;
mod sync;
mod till;
mod vouchers;

use std::sync::Arc;

use kasir_app::{AppState, specta_builder};
use serde_json::{Value, json};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

pub(crate) struct Harness {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// An app on a fresh data directory; `demo` seeds the demo café (without pictures) first.
    pub(crate) fn new(demo: bool) -> Harness {
        Harness::with_sync(demo, false)
    }

    /// The same, with the background uploader running as in the app.
    pub(crate) fn with_sync(demo: bool, sync: bool) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        if demo {
            let k = kasir_core::Kasir::open(dir.path(), Arc::new(kasir_core::SystemClock)).unwrap();
            kasir_core::demo::seed_demo(&k, false).unwrap();
        }
        Harness::on(dir, sync)
    }

    /// The same, with the app's print thread running.
    pub(crate) fn with_printing(demo: bool) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        if demo {
            let k = kasir_core::Kasir::open(dir.path(), Arc::new(kasir_core::SystemClock)).unwrap();
            kasir_core::demo::seed_demo(&k, false).unwrap();
        }
        let h = Harness::on(dir, false);
        h.webview.state::<kasir_app::Shared>().start_printing();
        h
    }

    /// The app closed and started again on the same data directory (as a restore does).
    pub(crate) fn restart(self) -> Harness {
        let Harness {
            _app: app,
            webview,
            _dir: dir,
        } = self;
        drop(webview);
        drop(app);
        Harness::on(dir, false)
    }

    fn on(dir: tempfile::TempDir, sync: bool) -> Harness {
        let state = AppState::open(dir.path()).unwrap();
        if sync {
            state.start_sync();
        }
        let app = mock_builder()
            .invoke_handler(specta_builder::<MockRuntime>().invoke_handler())
            .manage(state)
            .build(mock_context(noop_assets()))
            .unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Harness {
            _app: app,
            webview,
            _dir: dir,
        }
    }

    pub(crate) fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    #[track_caller]
    pub(crate) fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    #[track_caller]
    pub(crate) fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} should have failed, gave {v}"),
            Err(e) => e,
        }
    }

    pub(crate) fn staff_id(&self, name: &str) -> Value {
        let staff = self.ok("list_staff", json!({}));
        staff
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["id"]
            .clone()
    }

    pub(crate) fn sign_in(&self, name: &str, pin: &str) -> Value {
        let id = self.staff_id(name);
        self.ok("sign_in", json!({"staffId": id, "pin": pin}))
    }

    pub(crate) fn product_named(&self, text: &str) -> Value {
        self.ok("search_products", json!({"text": text, "limit": 5}))[0].clone()
    }
}
