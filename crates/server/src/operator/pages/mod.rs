//! The operator's console.

pub mod health;
pub mod plans;
pub mod tenants;
