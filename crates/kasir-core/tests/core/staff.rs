use kasir_core::Field;
use std::sync::Arc;

use kasir_core::people::{MAX_APPROVAL_ATTEMPTS, MAX_PIN_ATTEMPTS, StaffUpdate};
use kasir_core::{Error, FixedClock, Kasir, Role};

use crate::helpers::{CASHIER_PIN, MANAGER_PIN, Shop, refused, shop, start_time};
use std::str::FromStr;

#[test]
fn first_run_creates_the_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time()))).unwrap();
    assert!(k.people().needs_setup().unwrap());
    refused(
        &k,
        |k| k.people().create_first_admin("Owner", "12"),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Pin,
                    ..
                }
            )
        },
    );
    let admin = k.people().create_first_admin("Owner", "975310").unwrap();
    assert_eq!(admin.role(), Role::Admin);
    assert!(!k.people().needs_setup().unwrap());
    refused(
        &k,
        |k| k.people().create_first_admin("Thief", "123456"),
        |e| matches!(e, Error::AlreadySetUp),
    );
    let again = k.people().login(admin.id(), "975310").unwrap();
    assert_eq!(again, admin);
}

#[test]
fn pins_are_never_stored_in_clear() {
    let s = shop();
    let hashes: Vec<String> = s
        .kasir
        .connection()
        .prepare("SELECT pin_hash FROM staff")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(hashes.len(), 3);
    for h in hashes {
        assert!(h.starts_with("$argon2id$"), "{h}");
        for pin in ["1111", "2222", "3333"] {
            assert!(!h.contains(pin));
        }
    }
    // A long PIN, so that random bytes (ids, salts) cannot contain it by chance: four digits
    // turn up in a file of random ids now and then.
    let a = s.admin.clone();
    let pin = "80469273";
    s.kasir
        .people()
        .create_staff(&a, "Rina", kasir_core::Role::Cashier, pin)
        .unwrap();
    s.kasir
        .connection()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let bytes = std::fs::read(s.path().join(kasir_core::DB_FILE)).unwrap();
    assert!(
        !bytes.windows(pin.len()).any(|w| w == pin.as_bytes()),
        "the PIN is nowhere in the file"
    );
}

#[test]
fn wrong_pins_are_counted_then_locked_out() {
    let s = shop();
    let id = s.cashier.id();
    for left in (1..MAX_PIN_ATTEMPTS).rev() {
        match s.kasir.people().login(id, "0000") {
            Err(Error::WrongPin { attempts_left }) => assert_eq!(attempts_left, left),
            other => panic!("{other:?}"),
        }
    }
    let until = match s.kasir.people().login(id, "0000") {
        Err(Error::LockedOut { until }) => until,
        other => panic!("{other:?}"),
    };
    assert_eq!(until, start_time() + jiff::SignedDuration::from_secs(30));
    // even the right PIN waits
    assert!(matches!(
        s.kasir.people().login(id, CASHIER_PIN),
        Err(Error::LockedOut { .. })
    ));
    s.clock.advance(jiff::SignedDuration::from_secs(31));
    // one more failure after a lockout doubles it
    match s.kasir.people().login(id, "9999") {
        Err(Error::LockedOut { until }) => assert_eq!(
            until,
            start_time() + jiff::SignedDuration::from_secs(31 + 60)
        ),
        other => panic!("{other:?}"),
    }
    s.clock.advance(jiff::SignedDuration::from_secs(61));
    s.kasir.people().login(id, CASHIER_PIN).unwrap();
    // and success resets the count
    assert!(matches!(
        s.kasir.people().login(id, "0000"),
        Err(Error::WrongPin { attempts_left: 4 })
    ));
    let failures = s
        .kasir
        .audit()
        .entries(&s.manager, 100)
        .unwrap()
        .iter()
        .filter(|e| e.action == "login_failed")
        .count();
    assert_eq!(failures, 7);
    s.kasir.audit().verify_chain().unwrap();
}

#[test]
fn malformed_pins_are_wrong_pins() {
    let s = shop();
    let id = s.cashier.id();
    for pin in ["", "abc", &"9".repeat(1 << 20), "33\u{0}33"] {
        assert!(
            matches!(s.kasir.people().login(id, pin), Err(Error::WrongPin { .. })),
            "{:?}",
            &pin[..pin.len().min(8)]
        );
    }
    let unknown = "01900000-0000-7000-8000-000000000000".parse().unwrap();
    assert!(matches!(
        s.kasir.people().login(unknown, "1111"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn staff_rules() {
    let s = shop();
    let a = s.admin.clone();
    let m = s.manager.clone();
    // managers add cashiers, not managers
    let dewi = s
        .kasir
        .people()
        .create_staff(&m, "Dewi", Role::Cashier, "4444")
        .unwrap();
    refused(
        &s.kasir,
        |k| k.people().create_staff(&m, "Boss", Role::Manager, "5555"),
        |e| matches!(e, Error::Forbidden { .. }),
    );
    refused(
        &s.kasir,
        |k| {
            k.people().update_staff(
                &m,
                dewi.id,
                StaffUpdate {
                    role: Some(Role::Manager),
                    ..Default::default()
                },
            )
        },
        |e| matches!(e, Error::Forbidden { .. }),
    );
    refused(
        &s.kasir,
        |k| k.people().create_staff(&a, "", Role::Cashier, "5555"),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Name,
                    ..
                }
            )
        },
    );
    refused(
        &s.kasir,
        |k| k.people().create_staff(&a, "Eko", Role::Cashier, "55a5"),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Pin,
                    ..
                }
            )
        },
    );
    // the last admin stays
    refused(
        &s.kasir,
        |k| {
            k.people().update_staff(
                &a,
                a.id(),
                StaffUpdate {
                    active: Some(false),
                    ..Default::default()
                },
            )
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Role,
                    ..
                }
            )
        },
    );
    // a promotion is audited and takes effect at once, even for an open session
    let dewi_session = s.kasir.people().login(dewi.id, "4444").unwrap();
    s.kasir
        .people()
        .update_staff(
            &a,
            dewi.id,
            StaffUpdate {
                role: Some(Role::Manager),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        s.kasir.audit().entries(&dewi_session, 5).is_ok(),
        "promoted rights apply to the open session"
    );
    s.kasir
        .people()
        .update_staff(
            &a,
            dewi.id,
            StaffUpdate {
                active: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        matches!(
            s.kasir.sales().list_tickets(&dewi_session),
            Err(Error::Forbidden { .. })
        ),
        "deactivated: no rights at all"
    );
    assert!(matches!(
        s.kasir.people().login(dewi.id, "4444"),
        Err(Error::NotFound { .. })
    ));
    assert!(
        s.kasir
            .audit()
            .entries(&a, 20)
            .unwrap()
            .iter()
            .filter(|e| e.action == "role_changed")
            .count()
            >= 2
    );
    // a new PIN works and the old does not
    let sari = s.cashier.id();
    s.kasir
        .people()
        .update_staff(
            &m,
            sari,
            StaffUpdate {
                pin: Some("8642".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(matches!(
        s.kasir.people().login(sari, CASHIER_PIN),
        Err(Error::WrongPin { .. })
    ));
    s.kasir.people().login(sari, "8642").unwrap();
    let names: Vec<_> = s
        .kasir
        .people()
        .active_staff()
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["Ayu", "Budi", "Sari"]);
    let all: Vec<_> = s
        .kasir
        .people()
        .list_staff()
        .unwrap()
        .into_iter()
        .map(|m| (m.name, m.active))
        .collect();
    assert_eq!(
        all.last().unwrap(),
        &("Dewi".to_string(), false),
        "inactive staff listed last"
    );
}

#[test]
fn audit_chain_detects_tampering() {
    let s = shop();
    let id = s.cashier.id();
    let _ = s.kasir.people().login(id, "0000");
    let _ = s.kasir.people().login(id, "0001");
    let n = s.kasir.audit().verify_chain().unwrap();
    assert!(n >= 2);
    // Edit an entry the way an attacker with the file would: around the triggers.
    let conn = s.kasir.connection();
    conn.execute_batch("DROP TRIGGER audit_log_no_update")
        .unwrap();
    conn.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 2", [])
        .unwrap();
    assert!(matches!(
        s.kasir.audit().verify_chain(),
        Err(Error::AuditChainBroken { seq: 2 })
    ));
}

#[test]
fn set_up_shop_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kasir::open(dir.path(), Arc::new(FixedClock::new(start_time()))).unwrap();
    let setup = |pin: &str, currency: &str| kasir_core::people::ShopSetup {
        shop_name: "Warung Senja".into(),
        currency: currency.into(),
        minor_unit: 0,
        locale: "id-ID".into(),
        time_zone: "Asia/Makassar".into(),
        admin_name: "Rina".into(),
        pin: pin.into(),
    };
    refused(
        &k,
        |k| k.people().set_up_shop(setup("12", "IDR")),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Pin,
                    ..
                }
            )
        },
    );
    refused(
        &k,
        |k| k.people().set_up_shop(setup("2580", "rupiah")),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: Field::Currency,
                    ..
                }
            )
        },
    );
    let admin = k.people().set_up_shop(setup("2580", "IDR")).unwrap();
    assert_eq!(admin.role(), Role::Admin);
    assert_eq!(k.settings().get().unwrap().shop_name, "Warung Senja");
    // 03:00 UTC is 11:00 in Makassar, same day
    assert_eq!(k.settings().today().unwrap().to_string(), "2026-11-21");
    refused(
        &k,
        |k| k.people().set_up_shop(setup("2580", "IDR")),
        |e| matches!(e, Error::AlreadySetUp),
    );
}

/// A demoted admin loses admin powers at once, even while still signed in: decisions use the
/// role as re-read in the transaction, never the role at sign-in.
#[test]
fn a_demoted_admin_cannot_use_admin_powers_from_an_old_session() {
    let s = shop();
    let second = s
        .kasir
        .people()
        .create_staff(&s.admin, "Rina", Role::Admin, "8642")
        .unwrap();
    let rina = s.kasir.people().login(second.id, "8642").unwrap();
    assert_eq!(rina.role(), Role::Admin);
    s.kasir
        .people()
        .update_staff(
            &s.admin,
            second.id,
            StaffUpdate {
                role: Some(Role::Manager),
                ..StaffUpdate::default()
            },
        )
        .unwrap();
    // Rina's session still says admin; the core asks the database.
    refused(
        &s.kasir,
        |k| k.people().create_staff(&rina, "Eko", Role::Manager, "1357"),
        |e| {
            matches!(
                e,
                Error::Forbidden {
                    role: Role::Manager,
                    ..
                }
            )
        },
    );
    let cashier = s.cashier.id();
    refused(
        &s.kasir,
        |k| {
            k.people().update_staff(
                &rina,
                cashier,
                StaffUpdate {
                    role: Some(Role::Manager),
                    ..StaffUpdate::default()
                },
            )
        },
        |e| {
            matches!(
                e,
                Error::Forbidden {
                    role: Role::Manager,
                    ..
                }
            )
        },
    );
    // As a manager she may still add a cashier.
    s.kasir
        .people()
        .create_staff(&rina, "Eko", Role::Cashier, "1357")
        .unwrap();
}

/// The lock-out is decided in the sign-in's own transaction: a right PIN does not get in while
/// the member is locked out, and a sign-in that succeeds clears the count of wrong ones.
#[test]
fn a_locked_out_member_cannot_sign_in_with_the_right_pin() {
    let s = shop();
    let id = s.cashier.id();
    for _ in 0..MAX_PIN_ATTEMPTS {
        let _ = s.kasir.people().login(id, "0000");
    }
    assert!(matches!(
        s.kasir.people().login(id, CASHIER_PIN),
        Err(Error::LockedOut { .. })
    ));
    s.clock.advance(jiff::SignedDuration::from_secs(31));
    assert_eq!(s.kasir.people().login(id, CASHIER_PIN).unwrap(), s.cashier);
    let failed: i64 = s
        .kasir
        .connection()
        .query_row(
            "SELECT failed_attempts FROM staff WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed, 0);
}

/// Wrong PINs typed in the approval dialog count on the manager's approval counter: after
/// three, their approvals wait a minute (doubling), and they can still sign in. Each failure
/// is audited; a right approval PIN resets the count.
#[test]
fn wrong_approval_pins_lock_approvals_only_never_the_managers_sign_in() {
    let s = shop();
    let id = s.manager.id();
    for left in (1..MAX_APPROVAL_ATTEMPTS).rev() {
        match s.kasir.people().approver(id, "0000") {
            Err(Error::WrongPin { attempts_left }) => assert_eq!(attempts_left, left),
            other => panic!("{other:?}"),
        }
    }
    match s.kasir.people().approver(id, "0000") {
        Err(Error::LockedOut { until }) => {
            assert_eq!(until, start_time() + jiff::SignedDuration::from_secs(60))
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(
            s.kasir.people().approver(id, MANAGER_PIN),
            Err(Error::LockedOut { .. })
        ),
        "even the right PIN waits for approvals"
    );
    // The manager's own sign-in is untouched: no wrong PIN counted there.
    s.kasir.people().login(id, MANAGER_PIN).unwrap();
    assert!(matches!(
        s.kasir.people().login(id, "0000"),
            Err(Error::WrongPin { attempts_left }) if attempts_left == MAX_PIN_ATTEMPTS - 1
    ));
    s.kasir.people().login(id, MANAGER_PIN).unwrap();
    s.clock.advance(jiff::SignedDuration::from_secs(61));
    let approver = s.kasir.people().approver(id, MANAGER_PIN).unwrap();
    assert_eq!(approver.id(), id);
    assert!(
        matches!(
            s.kasir.people().approver(id, "0000"),
            Err(Error::WrongPin { attempts_left }) if attempts_left == MAX_APPROVAL_ATTEMPTS - 1
        ),
        "a right approval PIN resets the count"
    );
    let audited = s
        .kasir
        .audit()
        .entries(&s.manager, 100)
        .unwrap()
        .iter()
        .filter(|e| e.action == "approval_pin_failed")
        .count();
    assert_eq!(audited, 4);
}

/// A member locked out of signing in approves nothing either: the approval dialog is not a
/// second way to keep guessing their PIN.
#[test]
fn a_member_locked_out_of_signing_in_cannot_approve() {
    let s = shop();
    let id = s.manager.id();
    for _ in 0..MAX_PIN_ATTEMPTS {
        let _ = s.kasir.people().login(id, "0000");
    }
    assert!(matches!(
        s.kasir.people().approver(id, MANAGER_PIN),
        Err(Error::LockedOut { .. })
    ));
    s.clock.advance(jiff::SignedDuration::from_secs(31));
    s.kasir.people().approver(id, MANAGER_PIN).unwrap();
}

fn audit_actions(s: &Shop) -> Vec<String> {
    let conn = s.kasir.connection();
    let mut stmt = conn
        .prepare("SELECT action FROM audit_log ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// The staff screen's list shows who is locked out and until when; a manager clears a
/// cashier's lock-out (audited) and the cashier signs in at once; a manager may not clear an
/// admin's, and a cashier may not read the list at all.
#[test]
fn a_manager_sees_and_clears_a_cashiers_lockout() {
    let s = shop();
    let id = s.cashier.id();
    for _ in 0..MAX_PIN_ATTEMPTS {
        let _ = s.kasir.people().login(id, "0000");
    }
    let accounts = s.kasir.people().staff_accounts(&s.manager).unwrap();
    let sari = accounts.iter().find(|a| a.id == id).unwrap();
    assert!(sari.locked_until.is_some());
    assert_eq!(sari.failed_attempts, MAX_PIN_ATTEMPTS);
    let ayu = accounts.iter().find(|a| a.id == s.admin.id()).unwrap();
    assert_eq!(ayu.locked_until, None);
    assert!(matches!(
        s.kasir.people().staff_accounts(&s.cashier),
        Err(Error::Forbidden { .. })
    ));

    s.kasir.people().clear_lockout(&s.manager, id).unwrap();
    assert_eq!(audit_actions(&s).last().unwrap(), "lockout_cleared");
    assert_eq!(s.kasir.people().login(id, CASHIER_PIN).unwrap(), s.cashier);
    let sari = s.kasir.people().staff_accounts(&s.admin).unwrap();
    let sari = sari.iter().find(|a| a.id == id).unwrap();
    assert_eq!(
        (sari.locked_until.as_deref(), sari.failed_attempts),
        (None, 0)
    );

    // Seniors are the admin's to unlock.
    assert!(matches!(
        s.kasir.people().clear_lockout(&s.manager, s.admin.id()),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        s.kasir.people().clear_lockout(&s.cashier, id),
        Err(Error::Forbidden { .. })
    ));
    let nobody =
        kasir_core::access::StaffId::from_str("01900000-0000-7000-8000-000000000000").unwrap();
    assert!(matches!(
        s.kasir.people().clear_lockout(&s.admin, nobody),
        Err(Error::NotFound { .. })
    ));
}

/// Anyone changes their own PIN with the current one; a wrong current PIN counts toward the
/// lock-out and changes nothing; a malformed new PIN is refused before anything counts.
#[test]
fn every_member_changes_their_own_pin() {
    let s = shop();
    let id = s.cashier.id();
    let people = s.kasir.people();
    assert!(matches!(
        people.change_own_pin(&s.cashier, "0000", "9876"),
            Err(Error::WrongPin { attempts_left }) if attempts_left == MAX_PIN_ATTEMPTS - 1
    ));
    assert!(matches!(
        people.change_own_pin(&s.cashier, CASHIER_PIN, "12"),
        Err(Error::Invalid {
            field: kasir_core::Field::Pin,
            ..
        })
    ));
    // Still the old PIN, and the right one clears the failure count.
    assert_eq!(people.login(id, CASHIER_PIN).unwrap(), s.cashier);
    people
        .change_own_pin(&s.cashier, CASHIER_PIN, "9876")
        .unwrap();
    assert!(matches!(
        people.login(id, CASHIER_PIN),
        Err(Error::WrongPin { .. })
    ));
    assert_eq!(people.login(id, "9876").unwrap(), s.cashier);
    assert!(audit_actions(&s).iter().any(|a| a == "pin_changed"));
    // The new hash goes to the other tills.
    let sent: i64 = s
        .kasir
        .connection()
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'staff_upserted'
             AND json_extract(payload, '$.id') = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sent >= 2, "created and changed: {sent}");
}

/// A rename is audited with the old and new name.
#[test]
fn renaming_a_member_is_audited() {
    let s = shop();
    s.kasir
        .people()
        .update_staff(
            &s.manager,
            s.cashier.id(),
            StaffUpdate {
                name: Some("Sari Dewi".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let detail: String = s
        .kasir
        .connection()
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'staff_renamed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        detail.contains("\"from\":\"Sari\"") && detail.contains("Sari Dewi"),
        "{detail}"
    );
}
