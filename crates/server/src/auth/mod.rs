//! Who is calling: passwords, tokens, TOTP, login throttling, and the
//! extractors that turn credentials into a [`TenantCtx`] or [`OperatorCtx`].

pub mod actor;
pub mod live;
pub mod pages;
pub mod password;
pub mod principal;
pub mod reset;
pub mod throttle;
pub mod tokens;
pub mod totp;

pub use principal::{Actor, Authorized, OperatorCtx, TenantCtx, Via, perm};
