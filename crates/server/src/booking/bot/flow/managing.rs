//! The steps of "my bookings": the customer's coming bookings, and
//! moving or cancelling one of them.

use super::{State, Step, Turn};
use crate::booking::bookings::{self, Via};
use crate::booking::bot::prompts::{self, Offer, Row, buttons, list};
use crate::booking::language::fill;
use crate::error::AppError;
use store::booking::{BookingFilter, BookingStatus};
use store::page::PageRequest;

impl Turn<'_> {
    pub(super) async fn my_bookings(&mut self, state: &mut State) -> anyhow::Result<()> {
        let filter = BookingFilter {
            from: Some(self.now),
            contact: Some(self.contact.id),
            ..BookingFilter::default()
        };
        let found = self
            .tx
            .list_bookings(&filter, PageRequest::new(None, prompts::MAX_ROWS as u32))
            .await?;
        let lang = self.settings.language;
        let rows: Vec<Row> = found
            .items
            .iter()
            .filter(|b| b.status.holds_time())
            .map(|b| Row {
                offer: Offer::new(format!("bk:{}", b.id), b.service_name.clone()),
                description: Some(format!(
                    "{} · {}",
                    lang.when(self.settings.hours.wall(b.starts_at)),
                    b.reference
                )),
            })
            .collect();
        let w = self.words();
        if rows.is_empty() {
            self.say(w.none_booked.to_owned());
            *state = State::default();
            self.menu(state);
            return Ok(());
        }
        let p = list(w.your_bookings, w.my_bookings, w.my_bookings, rows);
        self.ask(state, Step::Bookings, p);
        Ok(())
    }

    pub(super) async fn manage(&mut self, state: &mut State) -> anyhow::Result<()> {
        let Some(id) = state.booking else {
            return self.my_bookings(state).await;
        };
        let b = self.tx.find_booking(id).await?;
        if b.contact_id != self.contact.id || !b.status.holds_time() {
            return self.my_bookings(state).await;
        }
        let w = self.words();
        let when = self
            .settings
            .language
            .when(self.settings.hours.wall(b.starts_at));
        let body = fill(
            w.what_to_do,
            &[
                ("service", &b.service_name),
                ("when", &when),
                ("reference", &b.reference),
            ],
        );
        let p = buttons(
            &body,
            vec![
                Offer::new("resched", w.reschedule),
                Offer::new("drop", w.cancel),
                Offer::new("keep", w.keep),
            ],
        );
        self.ask(state, Step::Manage, p);
        Ok(())
    }

    pub(super) async fn cancel_booking(&mut self, state: &mut State) -> anyhow::Result<()> {
        let Some(id) = state.booking else {
            return self.my_bookings(state).await;
        };
        let b = self.tx.find_booking(id).await?;
        if b.contact_id != self.contact.id {
            return self.my_bookings(state).await;
        }
        let point = self.tx.savepoint().await?;
        let done = bookings::set_status_in(
            self.tx,
            self.ctx,
            id,
            BookingStatus::Cancelled,
            None,
            Via::Bot,
            self.now,
        )
        .await;
        match done {
            Ok(b) => {
                self.tx.keep(point).await?;
                self.say(fill(self.words().cancelled, &[("reference", &b.reference)]));
                *state = State::default();
                Ok(())
            }
            Err(AppError::Conflict(..)) => {
                self.tx.undo(point).await?;
                self.my_bookings(state).await
            }
            Err(e) => Err(anyhow::anyhow!("{e:#}")),
        }
    }

    pub(super) async fn move_booking(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (Some(id), Some(at)) = (state.booking, state.starts_at) else {
            return self.my_bookings(state).await;
        };
        let point = self.tx.savepoint().await?;
        let to = bookings::Move {
            starts_at: at,
            resource: None,
        };
        let moved =
            bookings::reschedule_in(self.tx, self.ctx, self.settings, id, to, Via::Bot, self.now)
                .await;
        match moved {
            Ok(b) => {
                self.tx.keep(point).await?;
                let when = self
                    .settings
                    .language
                    .when(self.settings.hours.wall(b.starts_at));
                self.say(fill(
                    self.words().rescheduled,
                    &[("service", &b.service_name), ("when", &when)],
                ));
                *state = State::default();
                Ok(())
            }
            Err(AppError::Conflict(..) | AppError::Validation(_)) => {
                self.tx.undo(point).await?;
                self.say(self.words().slot_gone.to_owned());
                self.times(state).await
            }
            Err(e) => Err(anyhow::anyhow!("{e:#}")),
        }
    }
}
