//! The campaigns' background work: their rounds of sending and their
//! scheduled starts ([`super::dispatch`], [`super::start`]).

use crate::jobs::Registry;

/// Registers the campaigns' jobs.
pub fn register(registry: &mut Registry) {
    super::dispatch::register(registry);
    super::start::register(registry);
}
