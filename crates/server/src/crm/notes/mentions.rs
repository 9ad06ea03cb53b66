//! `@mentions` in a note's text (docs/DESIGN.md, "CRM: notes, mentions,
//! notifications and tasks"):
//!
//! - a mention is `@` at the start of the text or after a character that
//!   is not a letter, digit, `.`, `_`, `-` or `@` (so `bob@example.com`
//!   mentions no one), followed by letters, digits, `.`, `_` or `-`;
//!   trailing `.`, `_` and `-` are punctuation, not part of it;
//! - it names the active teammate whose email local part (before the `@`)
//!   equals it, ignoring case; failing that, the one whose display name
//!   without its spaces equals it (`@AnaLima` for "Ana Lima");
//! - a mention that names no one, or more than one teammate at the same
//!   step, stays plain text.

use domain::UserId;
use store::auth::User;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// The words after each `@` of `text`, in order, lower-cased, without
/// repeats.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c != '@' {
            continue;
        }
        if i > 0 && (is_word(chars[i - 1]) || chars[i - 1] == '@') {
            continue;
        }
        let word: String = chars[i + 1..].iter().take_while(|c| is_word(**c)).collect();
        let word = word.trim_end_matches(['.', '_', '-']).to_lowercase();
        if !word.is_empty() && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

fn local_part(u: &User) -> String {
    u.email.split('@').next().unwrap_or_default().to_lowercase()
}

fn compact_name(u: &User) -> String {
    u.name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// The one active teammate `token` names, if exactly one.
fn resolve(token: &str, team: &[User]) -> Option<UserId> {
    let active = || team.iter().filter(|u| u.disabled_at.is_none());
    for key in [local_part, compact_name] {
        let mut found = active().filter(|u| key(u) == token);
        if let Some(first) = found.next() {
            return found.next().is_none().then_some(first.id);
        }
    }
    None
}

/// The teammates `text` mentions, in the order first mentioned.
pub fn mentioned(text: &str, team: &[User]) -> Vec<UserId> {
    let mut out = Vec::new();
    for t in tokens(text) {
        if let Some(id) = resolve(&t, team)
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Role, Timestamp};

    fn user(email: &str, name: &str) -> User {
        User {
            id: UserId::new(),
            email: email.into(),
            name: name.into(),
            role: Role::Agent,
            password_hash: String::new(),
            totp_secret: None,
            totp_enabled_at: None,
            disabled_at: None,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn tokens_follow_the_documented_syntax() {
        assert_eq!(
            tokens("@Alice, can you and @bob.smith. call? cc @alice"),
            ["alice", "bob.smith"]
        );
        assert!(tokens("mail bob@example.com or @ alone or @@x").is_empty());
        assert_eq!(tokens("(@zoë)"), ["zoë"]);
    }

    #[test]
    fn mentions_name_one_active_teammate_or_stay_text() {
        let ana = user("ana@shop.example", "Ana Lima");
        let bob = user("bob@shop.example", "Bob");
        let bob2 = user("robert@shop.example", "Bob");
        let mut gone = user("carl@shop.example", "Carl");
        gone.disabled_at = Some(Timestamp::from_millis(1));
        let team = [ana.clone(), bob.clone(), bob2, gone];
        // Local part first, then the name without spaces, any case.
        assert_eq!(mentioned("hi @ANA and @analima", &team), [ana.id]);
        assert_eq!(mentioned("@bob", &team), [bob.id]);
        // "Bob" by name would be two people: the local part decides above;
        // a name alone that is ambiguous stays text.
        let team2 = [user("b1@x", "Bob"), user("b2@x", "Bob")];
        assert!(mentioned("@bob", &team2).is_empty());
        assert!(mentioned("@carl @nobody", &team).is_empty());
    }
}
