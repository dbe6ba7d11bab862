//! The core's integration tests: every use case through the public API, on real databases
//! that run the real migrations.

mod helpers;

mod audit_log;
mod backup;
mod balances;
mod catalog;
mod checkout;
mod concurrency;
mod coupons;
mod crash;
mod delivery;
mod images;
mod layering;
mod members;
mod menu_csv;
mod outbox;
mod permissions;
mod printing;
mod product_table;
mod receipt;
mod refunds;
mod reports;
mod reviews;
mod search;
mod shifts;
mod staff;
mod stock;
mod storage;
mod store_offers;
mod sync;
mod tickets;
mod vouchers;
mod wallet;
