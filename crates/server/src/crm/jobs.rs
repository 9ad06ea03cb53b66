//! The CRM's background work: task reminders, as a poller of the job
//! runtime ([`crate::crm::tasks::reminders`]), and contact imports' parts
//! ([`crate::crm::imports::jobs`]).

use crate::jobs::Registry;

/// Registers the CRM's pollers and jobs.
pub fn register(registry: &mut Registry) {
    registry.poll("crm.task_reminders", crate::crm::tasks::reminders::poll);
    crate::crm::imports::jobs::register(registry);
}
