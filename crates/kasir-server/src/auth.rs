//! Credentials: terminals' and operators' bearer tokens, and enrolment codes.
//!
//! A token is 256 random bits (base64url, 43 characters); the server stores only its SHA-256,
//! looks the hash up and compares it in constant time. An enrolment code is short enough to
//! type (`ABCD-EFGH-JKMN`): its first four characters find the row, the other eight are the
//! secret, kept as an argon2id hash, with an expiry and an attempt limit. Neither tokens nor
//! codes are ever logged.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::{AppState, Failure};

/// The code alphabet: no 0/O, 1/I/L, so a code read aloud or typed is not mistaken.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A new bearer token.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    base64url(&bytes)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A new enrolment code: (public id, secret), shown to the operator as `ID-SECR-ETXX`.
pub fn new_code() -> (String, String) {
    let mut rng = rand::rng();
    let mut pick = |n: usize| -> String {
        (0..n)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    (pick(4), pick(8))
}

/// How a code is shown: `ABCD-EFGH-JKMN`.
pub fn show_code(id: &str, secret: &str) -> String {
    format!("{id}-{}-{}", &secret[..4], &secret[4..])
}

/// A typed code, split into (id, secret): case, spaces and dashes do not matter. `None` when it
/// cannot be a code.
pub fn parse_code(typed: &str) -> Option<(String, String)> {
    let clean: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if clean.len() != 12 || !clean.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some((clean[..4].to_owned(), clean[4..].to_owned()))
}

pub fn hash_secret(secret: &str) -> anyhow::Result<String> {
    use argon2::password_hash::PasswordHasher;
    Ok(argon2::Argon2::default()
        .hash_password(secret.as_bytes())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?
        .to_string())
}

pub fn verify_secret(secret: &str, phc: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    argon2::Argon2::default()
        .verify_password(secret.as_bytes(), phc)
        .is_ok()
}

fn base64url(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty() && token.len() <= 128).then_some(token)
}

/// The terminal a request comes from, by its bearer token. A revoked terminal is refused with
/// 401 `revoked`: it must be enrolled again.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub id: Uuid,
    pub store_id: Uuid,
}

impl FromRequestParts<AppState> for Terminal {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let token = bearer(parts).ok_or_else(Failure::unauthorized)?;
        let hash = token_hash(token);
        let client = state.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT id, store_id, token_hash, revoked_at IS NOT NULL FROM terminals
                 WHERE token_hash = $1",
                &[&hash],
            )
            .await?
            .ok_or_else(Failure::unauthorized)?;
        let stored: Vec<u8> = row.get(2);
        if !bool::from(stored.ct_eq(&hash)) {
            return Err(Failure::unauthorized());
        }
        if row.get::<_, bool>(3) {
            return Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                "revoked",
                "this terminal was revoked: enrol it again",
            ));
        }
        Ok(Terminal {
            id: row.get(0),
            store_id: row.get(1),
        })
    }
}

/// An operator, by a token made with `kasir-server operator-token`. A terminal's token is
/// never an operator's.
#[derive(Debug, Clone, Copy)]
pub struct Operator {
    pub id: Uuid,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let token = bearer(parts).ok_or_else(Failure::unauthorized)?;
        let hash = token_hash(token);
        let client = state.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT id, token_hash FROM operator_tokens
                 WHERE token_hash = $1 AND revoked_at IS NULL",
                &[&hash],
            )
            .await?
            .ok_or_else(Failure::unauthorized)?;
        let stored: Vec<u8> = row.get(1);
        if !bool::from(stored.ct_eq(&hash)) {
            return Err(Failure::unauthorized());
        }
        Ok(Operator { id: row.get(0) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let (id, secret) = new_code();
        let shown = show_code(&id, &secret);
        assert_eq!(shown.len(), 14);
        assert_eq!(parse_code(&shown), Some((id.clone(), secret.clone())));
        let typed = format!(" {} ", shown.to_lowercase().replace('-', " "));
        assert_eq!(parse_code(&typed), Some((id, secret)));
        assert_eq!(parse_code("ABCD-EFGH-JKM"), None, "too short");
        assert_eq!(
            parse_code("ABCD-EFGH-JKM0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(parse_code(""), None);
    }

    #[test]
    fn tokens_are_long_random_and_stored_as_hashes() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn secrets_verify_only_against_their_hash() {
        let h = hash_secret("ABCDEFGH").unwrap();
        assert!(verify_secret("ABCDEFGH", &h));
        assert!(!verify_secret("ABCDEFGJ", &h));
        assert!(!verify_secret("ABCDEFGH", "not a hash"));
    }
}
