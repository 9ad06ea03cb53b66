//! The steps that ask: the menu, the customer's name, and the service
//! (by category first when there are many), day and time to choose from,
//! each offering only what the catalogue and the free slots allow.

use super::{State, Step, Turn};
use crate::booking::availability::{self, Held, Slot};
use crate::booking::bot::prompts::{self, Offer, Row, buttons, list};
use crate::booking::language::fill;
use domain::Timestamp;
use jiff::civil::Date;
use store::booking::{Resource, Service};

impl Turn<'_> {
    /// The name the team gave the contact: no need to ask.
    pub(super) fn known_name(&self) -> Option<String> {
        self.contact.name.clone().filter(|n| !n.trim().is_empty())
    }

    /// Asks for the booking's name, offering the WhatsApp profile's as a
    /// button (a profile name is often a nickname, so it is not assumed).
    pub(super) fn ask_name(&mut self, state: &mut State) {
        let w = self.words();
        let profile = self
            .contact
            .profile_name
            .clone()
            .filter(|n| !n.trim().is_empty());
        match profile {
            Some(p) => {
                let prompt = buttons(w.ask_name, vec![Offer::new(format!("name:{p}"), p)]);
                self.ask(state, Step::Name, prompt);
            }
            None => {
                state.step = Step::Name;
                state.offers.clear();
                self.say(w.ask_name.to_owned());
            }
        }
    }

    pub(super) fn menu(&mut self, state: &mut State) {
        let w = self.words();
        let p = buttons(
            w.menu,
            vec![
                Offer::new("book", w.book),
                Offer::new("mine", w.my_bookings),
                Offer::new("human", w.talk_to_person),
            ],
        );
        self.ask(state, Step::Menu, p);
    }

    /// The services someone gives, and the resources.
    pub(super) async fn catalogue(&mut self) -> anyhow::Result<(Vec<Service>, Vec<Resource>)> {
        if let Some(c) = self.catalogue.as_ref() {
            return Ok(c.clone());
        }
        let resources = self.tx.list_resources().await?;
        let services: Vec<Service> = self
            .tx
            .list_services()
            .await?
            .into_iter()
            .filter(|s| !availability::givers(s, &resources).is_empty())
            .collect();
        *self.catalogue = Some((services.clone(), resources.clone()));
        Ok((services, resources))
    }

    pub(super) async fn start_booking(&mut self, state: &mut State) -> anyhow::Result<()> {
        state.category = None;
        let (services, _) = self.catalogue().await?;
        if services.len() > prompts::MAX_ROWS && services.iter().any(|s| s.category.is_some()) {
            self.categories(state).await
        } else {
            self.services(state).await
        }
    }

    pub(super) async fn categories(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (services, _) = self.catalogue().await?;
        let mut names: Vec<String> = services
            .iter()
            .map(|s| s.category.clone().unwrap_or_default())
            .collect();
        names.dedup();
        let rows = names
            .into_iter()
            .map(|c| Row {
                offer: Offer::new(
                    format!("cat:{c}"),
                    if c.is_empty() { "…".to_owned() } else { c },
                ),
                description: None,
            })
            .collect();
        let w = self.words();
        let p = list(w.choose_category, w.categories, w.categories, rows);
        self.ask(state, Step::Category, p);
        Ok(())
    }

    pub(super) async fn services(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (services, _) = self.catalogue().await?;
        let rows = services
            .iter()
            .filter(|s| {
                state
                    .category
                    .as_ref()
                    .is_none_or(|c| s.category.clone().unwrap_or_default() == *c)
            })
            .map(|s| {
                let title = match &s.icon {
                    Some(i) => format!("{i} {}", s.name),
                    None => s.name.clone(),
                };
                let price = crate::crm::deals::money::format(s.price_minor, &s.currency);
                Row {
                    offer: Offer::new(format!("svc:{}", s.id), title),
                    description: Some(format!("{} min · {price}", s.duration_minutes)),
                }
            })
            .collect();
        let w = self.words();
        let p = list(w.choose_service, w.services, w.services, rows);
        self.ask(state, Step::Service, p);
        Ok(())
    }

    /// The service chosen and the resources giving it, with what they hold
    /// from `from` to `to`.
    async fn held(
        &mut self,
        state: &State,
        from: Timestamp,
        to: Timestamp,
    ) -> anyhow::Result<Option<(Service, Vec<Resource>, Vec<Held>)>> {
        let Some(id) = state.service else {
            return Ok(None);
        };
        let (services, resources) = self.catalogue().await?;
        let Some(service) = services.into_iter().find(|s| s.id == id) else {
            return Ok(None);
        };
        let givers: Vec<Resource> = availability::givers(&service, &resources)
            .into_iter()
            .cloned()
            .collect();
        let ids: Vec<_> = givers.iter().map(|r| r.id).collect();
        let held = self
            .tx
            .taken_between(&ids, from, to)
            .await?
            .iter()
            .filter(|b| Some(b.id) != state.booking)
            .map(Held::from)
            .collect();
        Ok(Some((service, givers, held)))
    }

    /// The free slots of the chosen service on `date`.
    async fn slots(&mut self, state: &State, date: Date) -> anyhow::Result<Vec<Slot>> {
        let (from, to) = availability::day_bounds(self.settings, date);
        let Some((service, givers, held)) = self.held(state, from, to.plus_seconds(86_400)).await?
        else {
            return Ok(Vec::new());
        };
        let givers: Vec<&Resource> = givers.iter().collect();
        Ok(availability::slots_on(
            self.settings,
            &service,
            &givers,
            &held,
            date,
            self.now,
        ))
    }

    pub(super) async fn days(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (first, last) = availability::window(self.settings, self.now);
        let from = availability::day_bounds(self.settings, first).0;
        let to = availability::day_bounds(self.settings, last)
            .1
            .plus_seconds(86_400);
        let Some((service, givers, held)) = self.held(state, from, to).await? else {
            self.start_booking(state).await?;
            return Ok(());
        };
        let givers: Vec<&Resource> = givers.iter().collect();
        let lang = self.settings.language;
        let mut rows = Vec::new();
        let mut day = first;
        while day <= last && rows.len() < prompts::MAX_ROWS {
            let slots =
                availability::slots_on(self.settings, &service, &givers, &held, day, self.now);
            if let Some(first_slot) = slots.first() {
                rows.push(Row {
                    offer: Offer::new(format!("day:{day}"), lang.day(day)),
                    description: Some(format!("{}–", first_slot.time)),
                });
            }
            day = match day.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        let w = self.words();
        if rows.is_empty() {
            self.say(w.no_days.to_owned());
            *state = State::default();
            self.menu(state);
            return Ok(());
        }
        let p = list(w.choose_day, w.days, w.days, rows);
        self.ask(state, Step::Day, p);
        Ok(())
    }

    pub(super) async fn times(&mut self, state: &mut State) -> anyhow::Result<()> {
        let Some(date) = state
            .date
            .as_deref()
            .and_then(|d| Date::strptime("%Y-%m-%d", d).ok())
        else {
            return self.days(state).await;
        };
        let slots = self.slots(state, date).await?;
        if slots.is_empty() {
            return self.days(state).await;
        }
        let from = state.from.min(slots.len().saturating_sub(1));
        let mut rows: Vec<Row> = slots
            .iter()
            .skip(from)
            .map(|s| Row {
                offer: Offer::new(format!("time:{}", s.starts_at.as_millis()), s.time.clone()),
                description: None,
            })
            .collect();
        if rows.len() > prompts::MAX_ROWS {
            rows.truncate(prompts::MAX_ROWS - 1);
            rows.push(Row {
                offer: Offer::new(format!("more:{}", from + prompts::MAX_ROWS - 1), "…"),
                description: None,
            });
        }
        let w = self.words();
        let body = fill(w.choose_time, &[("day", &self.settings.language.day(date))]);
        let p = list(&body, w.times, w.times, rows);
        self.ask(state, Step::Time, p);
        Ok(())
    }
}
