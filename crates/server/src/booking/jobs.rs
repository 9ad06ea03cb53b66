//! The booking bot's pollers: the bot itself and the reminders.

use crate::jobs::Registry;

pub fn register(registry: &mut Registry) {
    registry.poll("booking.bot", super::bot::poll);
    registry.poll("booking.reminders", super::reminders::poll);
}
