//! The steps that book: taking the customer's name, reviewing the
//! choice, and making the booking (or, if its slot went meanwhile,
//! offering the times again).

use super::{MAX_MISSES, Outcome, State, Step, Turn};
use crate::booking::bookings::{self, NewBooking, Via};
use crate::booking::bot::prompts::{Offer, buttons};
use crate::booking::language::fill;
use crate::error::AppError;
use store::booking::BookingStatus;

impl Turn<'_> {
    pub(super) async fn named(&mut self, state: &mut State, t: &str) -> anyhow::Result<Outcome> {
        match domain::values::display_name(t, 100) {
            Ok(name) => {
                state.name = Some(name);
                state.misses = 0;
                self.review(state).await?;
            }
            Err(_) => {
                state.misses += 1;
                if state.misses >= MAX_MISSES {
                    return Ok(Outcome::HandOff("unsure"));
                }
                self.ask_name(state);
            }
        }
        Ok(Outcome::Continue)
    }

    pub(super) async fn review(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (Some(service), Some(at)) = (state.service, state.starts_at) else {
            return self.days(state).await;
        };
        let (services, _) = self.catalogue().await?;
        let Some(service) = services.into_iter().find(|s| s.id == service) else {
            return self.start_booking(state).await;
        };
        let w = self.words();
        let when = self.settings.language.when(self.settings.hours.wall(at));
        let price = crate::crm::deals::money::format(service.price_minor, &service.currency);
        let name = state.name.clone().unwrap_or_default();
        let body = fill(
            w.review,
            &[
                ("service", &service.name),
                ("when", &when),
                ("price", &price),
                ("name", &name),
            ],
        );
        let p = buttons(
            &body,
            vec![
                Offer::new("confirm", w.confirm),
                Offer::new("change", w.change),
                Offer::new("cancel", w.cancel),
            ],
        );
        self.ask(state, Step::Confirm, p);
        Ok(())
    }

    pub(super) async fn book(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (Some(service), Some(starts_at)) = (state.service, state.starts_at) else {
            return self.days(state).await;
        };
        let input = NewBooking {
            service_id: service,
            resource_id: None,
            contact_id: self.contact.id,
            channel_id: Some(self.conversation.channel_id),
            starts_at,
            customer_name: state.name.clone(),
            payment_method: None,
            notes: None,
            status: BookingStatus::Confirmed,
        };
        let point = self.tx.savepoint().await?;
        let made =
            bookings::book_in(self.tx, self.ctx, self.settings, input, Via::Bot, self.now).await;
        let b = match made {
            Ok(b) => {
                self.tx.keep(point).await?;
                b
            }
            Err(e @ (AppError::Conflict(..) | AppError::Validation(_))) => {
                self.tx.undo(point).await?;
                tracing::info!(error = %e, "a slot the bot offered is gone");
                self.say(self.words().slot_gone.to_owned());
                return self.times(state).await;
            }
            Err(e) => return Err(anyhow::anyhow!("{e:#}")),
        };
        let w = self.words();
        let when = self
            .settings
            .language
            .when(self.settings.hours.wall(b.starts_at));
        let mut lines = vec![
            fill(
                w.confirmed,
                &[("service", &b.service_name), ("when", &when)],
            ),
            fill(w.reference, &[("reference", &b.reference)]),
        ];
        let pay = &self.settings.payment;
        if pay.on_site {
            lines.push(w.pay_on_site.to_owned());
        }
        if let Some(details) = &pay.bank_transfer {
            lines.push(fill(
                w.pay_bank,
                &[("reference", &b.reference), ("details", details)],
            ));
        }
        if let Some(link) = &pay.payment_link {
            lines.push(fill(w.pay_link, &[("link", link)]));
        }
        self.say(lines.join("\n"));
        *state = State::default();
        Ok(())
    }
}
