//! Background work of the area, registered with the job runtime.

use crate::jobs::Registry;

/// Registers the area's jobs and pollers.
pub fn register(_registry: &mut Registry) {}
