//! People payloads: what a terminal reports when a staff member is added or changed.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A staff member as they now stand (`staff_upserted`): every till of the store learns them,
/// so any member can sign in at any till. The PIN travels only as its argon2id hash, and only
/// to the store's own terminals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub id: Uuid,
    pub name: String,
    /// `cashier`, `manager` or `admin`.
    pub role: String,
    pub active: bool,
    /// The PIN's argon2id hash (PHC string), never the PIN.
    pub pin_hash: String,
}
