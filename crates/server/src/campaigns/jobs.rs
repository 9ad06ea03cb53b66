//! The campaigns' background work: their rounds of sending and their
//! scheduled starts ([`super::dispatch`]).

use crate::jobs::Registry;

/// Registers the campaigns' jobs.
pub fn register(registry: &mut Registry) {
    super::dispatch::register(registry);
}
