//! The real `kasir-server` binary, logging everything it can (`KASIR_LOG=trace`), is enrolled
//! with, pushed to, read by an operator and refused a wrong token: neither the enrolment code,
//! nor a terminal's token, nor the operator's token ever appears in what it logged.

use std::io::Read;
use std::process::{Command, Stdio};

use kasir_testpg::{Cluster, Durability};
use serde_json::json;

fn cli(url: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kasir-server"))
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn secrets_never_reach_the_log() {
    let cluster = Cluster::start(Durability::NoFsync);
    let url = cluster.create_database();
    cli(&url, &["store", "create", "Braga"]);
    let code = cli(&url, &["enrol", "--store", "Braga"]);
    let operator = cli(&url, &["operator-token"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_kasir-server"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .env("KASIR_LOG", "trace")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(format!("{base}/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    // A wrong code first, then the right one.
    let wrong = format!("{}-2222-2222", &code[..4]);
    let r = http
        .post(format!("{base}/v1/enrol"))
        .json(&json!({"code": wrong}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let enrolled: kasir_proto::api::EnrolResponse = http
        .post(format!("{base}/v1/enrol"))
        .json(&json!({"code": code, "name": "till"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = http
        .post(format!("{base}/v1/push"))
        .bearer_auth(&enrolled.token)
        .json(&json!({"head": 0, "entries": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(format!("{base}/v1/ops/terminals"))
        .bearer_auth(&operator)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(format!("{base}/v1/pull"))
        .bearer_auth(format!("{}x", enrolled.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Stop it (SIGTERM: a graceful shutdown) and read everything it logged.
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(server.wait().unwrap().success(), "{log}");
    assert!(log.contains("terminal enrolled"), "the log is there: {log}");
    assert!(log.contains("stopped"), "it shut down gracefully: {log}");
    let secret = &code[5..];
    for (what, value) in [
        ("the enrolment code", code.as_str()),
        ("the code's secret", secret),
        ("the code's secret, undashed", &secret.replace('-', "")),
        ("the wrong code", wrong.as_str()),
        ("the terminal's token", enrolled.token.as_str()),
        ("the operator's token", operator.as_str()),
    ] {
        assert!(!log.contains(value), "{what} is in the log");
    }
}
