//! People: the shop's staff (sign-in, roles, PINs); customers come later.

mod staff;

pub use self::staff::{
    MAX_APPROVAL_ATTEMPTS, MAX_PIN_ATTEMPTS, ShopSetup, StaffAccount, StaffMember, StaffUpdate,
};
pub(crate) use self::staff::{hash_pin, insert_staff};
pub use crate::access::StaffId;
