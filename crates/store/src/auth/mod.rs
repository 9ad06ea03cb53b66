//! Identity: operators, users, invitations, sessions, recovery codes, API
//! keys and sign-in failure counters. Secrets are never stored: only hashes
//! (Argon2id for passwords, SHA-256 for high-entropy random tokens and
//! throttle keys) and, for TOTP seeds, ciphertext.

mod api_keys;
mod invites;
mod operators;
mod sessions;
mod throttle;
mod users;

pub use api_keys::{ApiKey, NewApiKey};
pub use invites::{Invite, NewInvite};
pub use operators::{Operator, OperatorSession};
pub use sessions::{NewSession, Session, SessionKind};
pub use throttle::SignInFailures;
pub use users::{NewUser, User};
