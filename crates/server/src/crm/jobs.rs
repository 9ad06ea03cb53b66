//! The CRM's background work: task reminders and auto-assignment, as
//! pollers of the job runtime ([`crate::crm::tasks::reminders`],
//! [`crate::crm::teams::routing`]), and contact imports' parts
//! ([`crate::crm::imports::jobs`]).

use crate::jobs::Registry;

/// Registers the CRM's pollers and jobs.
pub fn register(registry: &mut Registry) {
    registry.poll("crm.task_reminders", crate::crm::tasks::reminders::poll);
    registry.poll("crm.routing", crate::crm::teams::routing::poll);
    crate::crm::imports::jobs::register(registry);
}
