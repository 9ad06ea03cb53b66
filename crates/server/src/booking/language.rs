//! The bot's own words, in the languages it speaks. Everything a customer
//! reads from the bot that the business did not write comes from here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A language the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
    Pt,
}

/// The bot's words in one language.
pub struct Words {
    pub book: &'static str,
    pub my_bookings: &'static str,
    pub talk_to_person: &'static str,
    pub menu: &'static str,
    pub choose_service: &'static str,
    pub services: &'static str,
    pub choose_category: &'static str,
    pub categories: &'static str,
    pub choose_day: &'static str,
    pub days: &'static str,
    pub no_days: &'static str,
    pub choose_time: &'static str,
    pub times: &'static str,
    pub slot_gone: &'static str,
    pub ask_name: &'static str,
    pub confirm: &'static str,
    pub change: &'static str,
    pub cancel: &'static str,
    pub review: &'static str,
    pub confirmed: &'static str,
    pub reference: &'static str,
    pub pay_on_site: &'static str,
    pub pay_bank: &'static str,
    pub pay_link: &'static str,
    pub not_understood: &'static str,
    pub none_booked: &'static str,
    pub your_bookings: &'static str,
    pub choose_booking: &'static str,
    pub reschedule: &'static str,
    pub what_to_do: &'static str,
    pub cancelled: &'static str,
    pub rescheduled: &'static str,
    pub handed_off: &'static str,
    pub started_over: &'static str,
    pub reminder: &'static str,
    pub staff_booked: &'static str,
    pub staff_moved: &'static str,
    pub staff_cancelled: &'static str,
    pub keep: &'static str,
}

const EN: Words = Words {
    book: "Book",
    my_bookings: "My bookings",
    talk_to_person: "Talk to a person",
    menu: "What would you like to do?",
    choose_service: "Which service would you like?",
    services: "Services",
    choose_category: "Which kind of service?",
    categories: "Categories",
    choose_day: "Which day suits you?",
    days: "Days",
    no_days: "Sorry, there is no free time for this service in the coming days.",
    choose_time: "Which time on {day}?",
    times: "Times",
    slot_gone: "Sorry, that time was just taken. Please choose another.",
    ask_name: "What name should the booking be under?",
    confirm: "Confirm",
    change: "Change",
    cancel: "Cancel",
    review: "{service} on {when}, {price}, for {name}. Shall I book it?",
    confirmed: "Booked! {service} on {when}.",
    reference: "Your reference is {reference}.",
    pay_on_site: "You can pay at the appointment.",
    pay_bank: "To pay by bank transfer, quote {reference}: {details}",
    pay_link: "To pay online: {link}",
    not_understood: "Sorry, I did not understand. Please choose one of the options.",
    none_booked: "You have no upcoming bookings.",
    your_bookings: "Your upcoming bookings:",
    choose_booking: "Which booking?",
    reschedule: "Reschedule",
    what_to_do: "{service} on {when} ({reference}). What would you like to do?",
    cancelled: "Your booking {reference} is cancelled.",
    rescheduled: "Done: {service} is now on {when}.",
    handed_off: "I have asked a member of the team to help you. They will reply here shortly.",
    started_over: "Let's start again.",
    reminder: "Reminder: {service} on {when} ({reference}).",
    staff_booked: "We have booked {service} for you on {when}. Your reference is {reference}.",
    staff_moved: "Your booking {reference} has moved: {service} is now on {when}.",
    staff_cancelled: "Your booking {reference} ({service} on {when}) was cancelled.",
    keep: "Keep it",
};

const ES: Words = Words {
    book: "Reservar",
    my_bookings: "Mis reservas",
    talk_to_person: "Hablar con alguien",
    menu: "¿Qué te gustaría hacer?",
    choose_service: "¿Qué servicio te gustaría?",
    services: "Servicios",
    choose_category: "¿Qué tipo de servicio?",
    categories: "Categorías",
    choose_day: "¿Qué día te viene bien?",
    days: "Días",
    no_days: "Lo siento, no hay horas libres para este servicio en los próximos días.",
    choose_time: "¿A qué hora el {day}?",
    times: "Horas",
    slot_gone: "Lo siento, esa hora se acaba de ocupar. Elige otra, por favor.",
    ask_name: "¿A nombre de quién hago la reserva?",
    confirm: "Confirmar",
    change: "Cambiar",
    cancel: "Cancelar",
    review: "{service} el {when}, {price}, a nombre de {name}. ¿Lo reservo?",
    confirmed: "¡Reservado! {service} el {when}.",
    reference: "Tu referencia es {reference}.",
    pay_on_site: "Puedes pagar en la cita.",
    pay_bank: "Para pagar por transferencia, indica {reference}: {details}",
    pay_link: "Para pagar en línea: {link}",
    not_understood: "Lo siento, no te he entendido. Elige una de las opciones, por favor.",
    none_booked: "No tienes reservas próximas.",
    your_bookings: "Tus próximas reservas:",
    choose_booking: "¿Qué reserva?",
    reschedule: "Cambiar hora",
    what_to_do: "{service} el {when} ({reference}). ¿Qué quieres hacer?",
    cancelled: "Tu reserva {reference} está cancelada.",
    rescheduled: "Hecho: {service} es ahora el {when}.",
    handed_off: "He pedido a alguien del equipo que te ayude. Te responderá aquí en breve.",
    started_over: "Empecemos de nuevo.",
    reminder: "Recordatorio: {service} el {when} ({reference}).",
    staff_booked: "Te hemos reservado {service} el {when}. Tu referencia es {reference}.",
    staff_moved: "Tu reserva {reference} ha cambiado: {service} es ahora el {when}.",
    staff_cancelled: "Tu reserva {reference} ({service} el {when}) se ha cancelado.",
    keep: "Mantener",
};

const PT: Words = Words {
    book: "Marcar",
    my_bookings: "As minhas marcações",
    talk_to_person: "Falar com alguém",
    menu: "O que gostaria de fazer?",
    choose_service: "Que serviço gostaria?",
    services: "Serviços",
    choose_category: "Que tipo de serviço?",
    categories: "Categorias",
    choose_day: "Que dia lhe convém?",
    days: "Dias",
    no_days: "Lamento, não há horários livres para este serviço nos próximos dias.",
    choose_time: "A que horas, {day}?",
    times: "Horários",
    slot_gone: "Lamento, esse horário acabou de ser ocupado. Escolha outro, por favor.",
    ask_name: "Em que nome fica a marcação?",
    confirm: "Confirmar",
    change: "Alterar",
    cancel: "Cancelar",
    review: "{service} em {when}, {price}, em nome de {name}. Posso marcar?",
    confirmed: "Marcado! {service} em {when}.",
    reference: "A sua referência é {reference}.",
    pay_on_site: "Pode pagar no local.",
    pay_bank: "Para pagar por transferência, indique {reference}: {details}",
    pay_link: "Para pagar online: {link}",
    not_understood: "Desculpe, não percebi. Escolha uma das opções, por favor.",
    none_booked: "Não tem marcações próximas.",
    your_bookings: "As suas próximas marcações:",
    choose_booking: "Qual marcação?",
    reschedule: "Remarcar",
    what_to_do: "{service} em {when} ({reference}). O que deseja fazer?",
    cancelled: "A sua marcação {reference} foi cancelada.",
    rescheduled: "Feito: {service} passa para {when}.",
    handed_off: "Pedi a alguém da equipa para o ajudar. Vai responder aqui em breve.",
    started_over: "Vamos recomeçar.",
    reminder: "Lembrete: {service} em {when} ({reference}).",
    staff_booked: "Marcámos {service} para si em {when}. A sua referência é {reference}.",
    staff_moved: "A sua marcação {reference} mudou: {service} passa para {when}.",
    staff_cancelled: "A sua marcação {reference} ({service} em {when}) foi cancelada.",
    keep: "Manter",
};

impl Language {
    /// The code the API and the store use.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
            Language::Pt => "pt",
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::Es => &ES,
            Language::Pt => &PT,
        }
    }
}

const WEEKDAYS: [[&str; 7]; 3] = [
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
    ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"],
];
const MONTHS: [[&str; 12]; 3] = [
    [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    [
        "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
    ],
    [
        "jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez",
    ],
];

impl Language {
    fn index(self) -> usize {
        match self {
            Language::En => 0,
            Language::Es => 1,
            Language::Pt => 2,
        }
    }

    /// A day as the customer reads it: `Wed 9 Dec`.
    pub fn day(self, date: jiff::civil::Date) -> String {
        let wd = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
        let month = usize::try_from(date.month() - 1).unwrap_or(0);
        let i = self.index();
        format!("{} {} {}", WEEKDAYS[i][wd], date.day(), MONTHS[i][month])
    }

    /// A day and time as the customer reads it: `Wed 9 Dec, 10:00`.
    pub fn when(self, wall: jiff::civil::DateTime) -> String {
        format!(
            "{}, {:02}:{:02}",
            self.day(wall.date()),
            wall.hour(),
            wall.minute()
        )
    }
}

/// `template` with each `{key}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_in_each_language() {
        let wall = jiff::civil::date(2026, 12, 9).at(10, 0, 0, 0);
        assert_eq!(Language::En.when(wall), "Wed 9 Dec, 10:00");
        assert_eq!(Language::Es.when(wall), "mié 9 dic, 10:00");
        assert_eq!(Language::Pt.when(wall), "qua 9 dez, 10:00");
    }

    #[test]
    fn placeholders_are_filled() {
        let text = fill(
            EN.review,
            &[
                ("service", "Haircut"),
                ("when", "Mon 9 Dec, 10:00"),
                ("price", "€25.00"),
                ("name", "Ana"),
            ],
        );
        assert_eq!(
            text,
            "Haircut on Mon 9 Dec, 10:00, €25.00, for Ana. Shall I book it?"
        );
    }

    #[test]
    fn every_language_names_the_same_placeholders() {
        fn keys(s: &str) -> Vec<&str> {
            let mut k: Vec<&str> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(k, _)| k))
                .collect();
            k.sort_unstable();
            k
        }
        for lang in [Language::Es, Language::Pt] {
            let w = lang.words();
            for (en, other) in [
                (EN.review, w.review),
                (EN.confirmed, w.confirmed),
                (EN.reference, w.reference),
                (EN.pay_bank, w.pay_bank),
                (EN.pay_link, w.pay_link),
                (EN.choose_time, w.choose_time),
                (EN.what_to_do, w.what_to_do),
                (EN.cancelled, w.cancelled),
                (EN.rescheduled, w.rescheduled),
                (EN.reminder, w.reminder),
                (EN.staff_booked, w.staff_booked),
                (EN.staff_moved, w.staff_moved),
                (EN.staff_cancelled, w.staff_cancelled),
            ] {
                assert_eq!(keys(en), keys(other), "{lang:?}: {other}");
            }
        }
    }
}
