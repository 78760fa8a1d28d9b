//! Synthetic people: Nordic names, most at an institution, some with contact
//! details of either visibility.

use std::collections::HashMap;
use std::fmt::Write;

use nspm_core::text::slug;

use crate::institutions::Inst;
use crate::rng::Rng;
use crate::ron;
use crate::words::{LANDS, Land, MAIL_HOSTS};

/// Each land's given and family names as they appear in ids and addresses,
/// worked out once rather than for every person.
struct Slugs {
    given: Vec<Vec<String>>,
    family: Vec<Vec<String>>,
}

impl Slugs {
    fn new() -> Slugs {
        let all = |f: fn(&Land) -> &[&str]| {
            LANDS
                .iter()
                .map(|l| f(l).iter().map(|n| slug(n)).collect())
                .collect()
        };
        Slugs {
            given: all(|l| l.given),
            family: all(|l| l.family),
        }
    }
}

/// Writes `count` people as the body of `people.ron`; returns the first
/// person's id, which the society names as its contact.
pub fn write(
    out: &mut String,
    rng: &mut Rng,
    count: usize,
    members: u8,
    insts: &[Inst],
) -> Option<String> {
    let slugs = Slugs::new();
    // How many people so far have each name, to number the namesakes.
    let mut namesakes: HashMap<String, u32> = HashMap::with_capacity(count);
    let mut first = None;
    let mut local = String::new();
    for i in 0..count {
        let inst = if insts.is_empty() || rng.percent(8) {
            None
        } else {
            Some(&insts[rng.below(insts.len())])
        };
        // Most people live where they work; some work abroad.
        let home = match inst {
            Some(inst) if rng.percent(90) => inst.land,
            _ => rng.below(LANDS.len()),
        };
        let origin = if rng.percent(80) {
            home
        } else {
            rng.below(LANDS.len())
        };
        let land = &LANDS[origin];
        let g = rng.below(land.given.len());
        let f = rng.below(land.family.len());
        // A quarter have two given names, as "Anna Karin" does.
        let second = rng
            .percent(25)
            .then(|| rng.below(land.given.len()))
            .filter(|&s| s != g);

        let mut given = land.given[g].to_string();
        let mut base = slugs.given[origin][g].clone();
        if let Some(s) = second {
            given.push(' ');
            given.push_str(land.given[s]);
            base.push('-');
            base.push_str(&slugs.given[origin][s]);
        }
        let given_slug_len = base.len();
        base.push('-');
        base.push_str(&slugs.family[origin][f]);
        let id = match namesakes.get_mut(&base) {
            Some(seen) => {
                *seen += 1;
                format!("{base}-{seen}")
            }
            None => {
                namesakes.insert(base.clone(), 1);
                base
            }
        };

        if i % 1000 == 999 {
            let _ = writeln!(
                out,
                "    // Joined at the {} annual meeting.",
                rng.between(2018, 2025)
            );
        }
        out.push_str("    Person(\n");
        ron::field_str(out, "id", &id);
        ron::field_str(out, "given", &given);
        ron::field_str(out, "family", land.family[f]);
        ron::field_opt(out, "institution", inst.map(|x| x.id.as_str()));
        let _ = writeln!(out, "        country: \"{}\",", LANDS[home].code);
        let roles = match i {
            0 => "[Chair, SteeringCommittee]",
            1 => "[ViceChair, SteeringCommittee]",
            2 => "[Secretary]",
            3 => "[Treasurer]",
            _ if rng.percent(2) => "[SteeringCommittee]",
            // Drawn only when asked for, so that societies without members
            // stay byte for byte as they were.
            _ if members > 0 && rng.percent(u32::from(members)) => "[Member]",
            _ if rng.percent(50) => "[]",
            _ => "",
        };
        if !roles.is_empty() {
            let _ = writeln!(out, "        roles: {roles},");
        }

        if rng.percent(60) {
            // The local part is the id with a dot between given and family
            // names, so namesakes keep their numbers apart.
            local.clear();
            local.push_str(&id[..given_slug_len]);
            local.push('.');
            local.push_str(&id[given_slug_len + 1..]);
            local.push('@');
            match inst {
                Some(inst) => local.push_str(&inst.domain),
                None => local.push_str(MAIL_HOSTS[rng.below(MAIL_HOSTS.len())]),
            }
            let public = rng.percent(50);
            ron::field_detail(out, "email", public, &local);
        }
        if rng.percent(30) {
            let public = rng.percent(20);
            ron::field_detail(out, "phone", public, &phone(rng, &LANDS[home]));
        }
        if rng.percent(40) {
            let public = rng.percent(85);
            ron::field_detail(out, "orcid", public, &orcid(rng));
        }
        if let Some(inst) = inst.filter(|_| rng.percent(15)) {
            let web = format!("https://{}/people/{id}", inst.domain);
            ron::field_detail(out, "web", true, &web);
        }
        out.push_str("    ),\n");
        first.get_or_insert(id);
    }
    first
}

/// A number in the land's own grouping, such as `+47 22 85 50 50`.
fn phone(rng: &mut Rng, land: &Land) -> String {
    let mut out = String::with_capacity(20);
    out.push_str(land.dial);
    out.push(' ');
    for (k, c) in land.phone.chars().enumerate() {
        if c == '#' {
            // A national number does not begin with 0 once the trunk
            // prefix is dropped.
            let d = if k == 0 {
                char::from(b'1' + rng.below(9) as u8)
            } else {
                rng.digit()
            };
            out.push(d);
        } else {
            out.push(c);
        }
    }
    out
}

/// A well-formed ORCID iD in the ranges ORCID hands out, with its ISO 7064
/// MOD 11-2 check character.
pub fn orcid(rng: &mut Rng) -> String {
    let mut digits = [0u32; 15];
    digits[7] = 1 + rng.below(3) as u32;
    for d in &mut digits[8..] {
        *d = rng.below(10) as u32;
    }
    let total = digits.iter().fold(0, |acc, d| (acc + d) * 2);
    let check = match (12 - total % 11) % 11 {
        10 => 'X',
        n => char::from(b'0' + n as u8),
    };
    let mut out = String::with_capacity(19);
    for (k, d) in digits.iter().enumerate() {
        if k > 0 && k % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(b'0' + *d as u8));
    }
    out.push(check);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orcids_pass_the_checksum() {
        let mut rng = Rng::new(3);
        let mut saw_x = false;
        for _ in 0..2000 {
            let id = orcid(&mut rng);
            assert_eq!(nspm_core::validate::orcid(&id), Ok(()), "{id}");
            saw_x |= id.ends_with('X');
        }
        assert!(saw_x, "the check character X never came up");
    }

    #[test]
    fn phones_pass_the_check() {
        let mut rng = Rng::new(4);
        for land in LANDS {
            let number = phone(&mut rng, land);
            assert!(number.starts_with(land.dial));
            assert_eq!(nspm_core::validate::phone(&number), Ok(()), "{number}");
        }
    }
}
