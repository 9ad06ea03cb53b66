//! Analytics' poller: the consumer that keeps the counts.

use crate::jobs::Registry;

pub fn register(registry: &mut Registry) {
    registry.poll("analytics", super::consumer::poll);
}
