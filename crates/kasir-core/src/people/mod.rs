//! People: the shop's staff (sign-in, roles, PINs); customers come later.

mod staff;

pub use self::staff::{MAX_PIN_ATTEMPTS, ShopSetup, StaffMember, StaffUpdate};
pub use crate::access::StaffId;
