//! The client's side of the protocol's edges, against canned HTTP answers: a server speaking
//! a newer protocol is refused with a clear message, 401 stops sync, 5xx and 429 are
//! transient, and a 4xx refusal carries the server's code.

use kasir_proto::api::PROTOCOL;
use kasir_sync::{Client, SyncError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A one-answer HTTP server: every request gets `status`, `protocol` and `body`.
async fn canned(status: &str, protocol: u32, body: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nkasir-protocol: {protocol}\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(answer.as_bytes()).await;
            let _ = s.shutdown().await;
        }
    });
    format!("http://{addr}")
}

async fn pull(status: &str, protocol: u32, body: &str) -> SyncError {
    let url = canned(status, protocol, body).await;
    let client = Client::new(&url, true, std::time::Duration::from_secs(5)).unwrap();
    client.pull("token", 0).await.unwrap_err()
}

#[tokio::test]
async fn a_newer_server_is_refused_with_a_clear_message() {
    let empty = r#"{"changes":[],"cursor":0,"more":false}"#;
    let e = pull("200 OK", PROTOCOL + 1, empty).await;
    assert!(matches!(e, SyncError::NewerServer(_)), "{e:?}");
    assert!(!e.is_retryable());
    assert!(e.to_string().contains("update the app"), "{e}");
    // The same answer from a server of this protocol is read.
    let url = canned("200 OK", PROTOCOL, empty).await;
    let client = Client::new(&url, true, std::time::Duration::from_secs(5)).unwrap();
    assert_eq!(client.pull("token", 0).await.unwrap().cursor, 0);
}

#[tokio::test]
async fn answers_fall_into_their_failure_classes() {
    let body = |code: &str| format!(r#"{{"code":"{code}","message":"m"}}"#);
    let e = pull("401 Unauthorized", PROTOCOL, &body("revoked")).await;
    assert!(
        matches!(&e, SyncError::Unauthorized { code } if code == "revoked"),
        "{e:?}"
    );
    assert!(!e.is_retryable());
    for status in [
        "503 Service Unavailable",
        "500 Internal Server Error",
        "429 Too Many Requests",
    ] {
        let e = pull(status, PROTOCOL, &body("unavailable")).await;
        assert!(matches!(e, SyncError::Transient(_)), "{status}: {e:?}");
        assert!(e.is_retryable());
    }
    let e = pull("400 Bad Request", PROTOCOL, &body("bad_request")).await;
    assert!(
        matches!(&e, SyncError::Refused { status: 400, code, .. } if code == "bad_request"),
        "{e:?}"
    );
    // Nobody listening: transient.
    let client = Client::new(
        "http://127.0.0.1:9",
        true,
        std::time::Duration::from_secs(2),
    )
    .unwrap();
    let e = client.pull("token", 0).await.unwrap_err();
    assert!(matches!(e, SyncError::Transient(_)), "{e:?}");
}

#[tokio::test]
async fn no_answer_in_time_is_unknown_and_sent_again() {
    // Accepts and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let client = Client::new(
        &format!("http://{addr}"),
        true,
        std::time::Duration::from_millis(300),
    )
    .unwrap();
    let e = client.pull("token", 0).await.unwrap_err();
    assert!(matches!(e, SyncError::Unknown(_)), "{e:?}");
    assert!(e.is_retryable());
}
