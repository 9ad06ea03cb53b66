//! Identity: operators, users, invitations, sessions, recovery codes and
//! API keys. Secrets are never stored: only hashes (Argon2id for passwords,
//! SHA-256 for high-entropy random tokens) and, for TOTP seeds, ciphertext.

mod api_keys;
mod invites;
mod operators;
mod sessions;
mod users;

pub use api_keys::{ApiKey, NewApiKey};
pub use invites::{Invite, NewInvite};
pub use operators::{Operator, OperatorSession};
pub use sessions::{NewSession, Session, SessionKind};
pub use users::{NewUser, User};
