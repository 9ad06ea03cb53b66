//! The operator's console.

pub mod health;
pub mod tenants;
