//! The bridge's background work: the push job, the event-log consumer and
//! the check for conversations Genesys ended.

use crate::jobs::Registry;

/// Registers the bridge's job and pollers.
pub fn register(registry: &mut Registry) {
    registry.register::<super::push::Push>();
    registry.poll("genesys.bridge", super::consumer::poll);
    registry.poll("genesys.check", super::check::poll);
}
