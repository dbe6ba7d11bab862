//! Modifier groups on a product (size, extras, sugar) and the check of a cashier's choice.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Catalog, ProductId, load_product, report_product};
use crate::access::{Actor, Permission};
use crate::kernel::ids::id_type;
use crate::kernel::text;
use crate::money::MAX_AMOUNT;
use crate::{Error, Money, Result, audit};
use crate::{Field, Rule};

id_type!(
    /// A modifier group's id.
    ModifierGroupId
);
id_type!(
    /// A modifier option's id.
    ModifierOptionId
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModifierGroup {
    pub id: ModifierGroupId,
    pub name: String,
    pub min_choices: u32,
    pub max_choices: u32,
    pub options: Vec<ModifierOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModifierOption {
    pub id: ModifierOptionId,
    pub name: String,
    /// Added to the product's price (may be negative: "no cheese").
    pub price_delta: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModifierGroupDraft {
    /// The group being edited; `None` for a new group. Ids stay stable across edits.
    #[serde(default)]
    pub id: Option<ModifierGroupId>,
    pub name: String,
    pub min_choices: u32,
    pub max_choices: u32,
    pub options: Vec<ModifierOptionDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModifierOptionDraft {
    /// The option being edited; `None` for a new option.
    #[serde(default)]
    pub id: Option<ModifierOptionId>,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub price_delta: i64,
}

/// A modifier as chosen on a line, snapshotted into the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChosenModifier {
    pub option_id: ModifierOptionId,
    pub group: String,
    pub option: String,
    pub price_delta: Money,
}

pub(crate) fn load_groups(conn: &Connection, product: ProductId) -> Result<Vec<ModifierGroup>> {
    let mut groups: Vec<ModifierGroup> = conn
        .prepare_cached(
            "SELECT id, name, min_choices, max_choices FROM modifier_groups WHERE product_id = ?1 AND retired = 0 ORDER BY sort_order",
        )?
        .query_map([product], |r| {
            Ok(ModifierGroup { id: r.get(0)?, name: r.get(1)?, min_choices: r.get(2)?, max_choices: r.get(3)?, options: Vec::new() })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, price_delta FROM modifier_options WHERE group_id = ?1 AND retired = 0 ORDER BY sort_order",
    )?;
    for g in &mut groups {
        g.options = stmt
            .query_map([g.id], |r| {
                Ok(ModifierOption {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    price_delta: Money(r.get(2)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(groups)
}

/// Checks a cashier's choice against the product's groups (known options, no repeats,
/// each group's min and max) and returns it in menu order.
pub(crate) fn resolve_choice(
    groups: &[ModifierGroup],
    chosen: &[ModifierOptionId],
) -> Result<Vec<ChosenModifier>> {
    let wanted: HashSet<ModifierOptionId> = chosen.iter().copied().collect();
    if wanted.len() != chosen.len() {
        return Err(Error::invalid(Field::Modifiers, Rule::Repeated));
    }
    let mut out = Vec::new();
    let mut matched = 0;
    for g in groups {
        let picked: Vec<&ModifierOption> = g
            .options
            .iter()
            .filter(|o| wanted.contains(&o.id))
            .collect();
        let n = picked.len() as u32;
        if n < g.min_choices || n > g.max_choices {
            return Err(Error::invalid(
                Field::Modifiers,
                Rule::Choices {
                    group: g.name.clone(),
                    min: g.min_choices,
                    max: g.max_choices,
                },
            ));
        }
        matched += picked.len();
        out.extend(picked.into_iter().map(|o| ChosenModifier {
            option_id: o.id,
            group: g.name.clone(),
            option: o.name.clone(),
            price_delta: o.price_delta,
        }));
    }
    if matched != wanted.len() {
        return Err(Error::invalid(Field::Modifiers, Rule::Foreign));
    }
    Ok(out)
}

fn validate_group(g: &ModifierGroupDraft) -> Result<CleanGroup> {
    let name = text::name(Field::ModifierGroup, &g.name, 60)?;
    if g.options.is_empty() || g.options.len() > 50 {
        return Err(Error::invalid(
            Field::ModifierOptions,
            Rule::OutOfRange { min: 1, max: 50 },
        ));
    }
    if g.max_choices == 0
        || g.min_choices > g.max_choices
        || g.max_choices as usize > g.options.len()
    {
        return Err(Error::invalid(Field::MaxChoices, Rule::ChoiceBounds));
    }
    let options = g
        .options
        .iter()
        .map(|o| {
            if o.price_delta.unsigned_abs() > MAX_AMOUNT as u64 {
                return Err(Error::invalid(Field::PriceDelta, Rule::TooLarge));
            }
            Ok((
                text::name(Field::ModifierOption, &o.name, 60)?,
                o.price_delta,
            ))
        })
        .collect::<Result<_>>()?;
    Ok((name, options))
}

impl Catalog<'_> {
    /// Sets a product's modifier groups to `groups`, in that order. A draft with an id edits
    /// that group or option in place, so tickets, orders and the server keep pointing at it;
    /// one without an id is new; groups and options left out are retired (hidden from the
    /// menu, kept for history). A changed option price is audited like a product price. Open
    /// tickets that hold a retired option are refused at checkout with a clear error.
    pub fn set_modifier_groups(
        &self,
        actor: &Actor,
        product: ProductId,
        groups: Vec<ModifierGroupDraft>,
    ) -> Result<super::Product> {
        check_groups(&groups)?;
        self.k.write(actor, Permission::ManageCatalog, |cx| {
            set_modifier_groups_in(cx, product, &groups)
        })
    }
}

/// A group's cleaned name and its options' cleaned names and price deltas.
type CleanGroup = (String, Vec<(String, i64)>);

pub(super) fn check_groups(groups: &[ModifierGroupDraft]) -> Result<Vec<CleanGroup>> {
    if groups.len() > 20 {
        return Err(Error::invalid(
            Field::ModifierGroups,
            Rule::TooMany { max: 20 },
        ));
    }
    groups.iter().map(validate_group).collect()
}

/// Sets a product's modifier groups inside the caller's transaction (see
/// [`Catalog::set_modifier_groups`]), and reports the product.
pub(crate) fn set_modifier_groups_in(
    cx: &crate::access::Ctx<'_>,
    product: ProductId,
    groups: &[ModifierGroupDraft],
) -> Result<super::Product> {
    let clean = check_groups(groups)?;
    let before = load_product(cx, product)?;
    cx.prepare_cached("UPDATE modifier_groups SET retired = 1 WHERE product_id = ?1")?
        .execute([product])?;
    for (gi, (draft, (name, options))) in groups.iter().zip(&clean).enumerate() {
        let gid = match draft.id {
            Some(gid) => {
                let n = cx
                    .prepare_cached(
                        "UPDATE modifier_groups SET name = ?3, min_choices = ?4, max_choices = ?5,
                        sort_order = ?6, retired = 0
                     WHERE id = ?1 AND product_id = ?2",
                    )?
                    .execute(params![
                        gid,
                        product,
                        name,
                        draft.min_choices,
                        draft.max_choices,
                        gi as i64
                    ])?;
                if n == 0 {
                    return Err(Error::invalid(Field::ModifierGroups, Rule::Foreign));
                }
                gid
            }
            None => {
                let gid = ModifierGroupId::new(cx.now);
                cx.prepare_cached(
                    "INSERT INTO modifier_groups (id, product_id, name, min_choices, max_choices, sort_order)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![gid, product, name, draft.min_choices, draft.max_choices, gi as i64])?;
                gid
            }
        };
        cx.prepare_cached("UPDATE modifier_options SET retired = 1 WHERE group_id = ?1")?
            .execute([gid])?;
        for (oi, (odraft, (oname, delta))) in draft.options.iter().zip(options).enumerate() {
            match odraft.id {
                Some(oid) => {
                    let old: Option<i64> = cx.prepare_cached(
                        "SELECT price_delta FROM modifier_options WHERE id = ?1 AND group_id = ?2",
                    )?
                    .query_row(params![oid, gid], |r| r.get(0))
                    .optional()?;
                    let Some(old) = old else {
                        return Err(Error::invalid(Field::ModifierOptions, Rule::Foreign));
                    };
                    cx.prepare_cached(
                        "UPDATE modifier_options SET name = ?2, price_delta = ?3, sort_order = ?4, retired = 0
                         WHERE id = ?1",
                    )?
                    .execute(params![oid, oname, delta, oi as i64])?;
                    if old != *delta {
                        audit::record(
                            cx,
                            "modifier_price_changed",
                            serde_json::json!({
                                "product": product, "product_name": before.name, "option": oid,
                                "name": oname, "from": old, "to": delta,
                            }),
                        )?;
                    }
                }
                None => {
                    cx.prepare_cached(
                        "INSERT INTO modifier_options (id, group_id, name, price_delta, sort_order)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![
                        ModifierOptionId::new(cx.now),
                        gid,
                        oname,
                        delta,
                        oi as i64
                    ])?;
                }
            }
        }
    }
    let mut seen = HashSet::new();
    if !groups.iter().filter_map(|g| g.id).all(|id| seen.insert(id)) {
        return Err(Error::invalid(Field::ModifierGroups, Rule::Repeated));
    }
    let mut seen = HashSet::new();
    if !groups
        .iter()
        .flat_map(|g| &g.options)
        .filter_map(|o| o.id)
        .all(|id| seen.insert(id))
    {
        return Err(Error::invalid(Field::ModifierOptions, Rule::Repeated));
    }
    report_product(cx, product)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(n: u8, delta: i64) -> ModifierOption {
        ModifierOption {
            id: ModifierOptionId(uuid::Uuid::from_bytes([n; 16])),
            name: format!("o{n}"),
            price_delta: Money(delta),
        }
    }

    #[test]
    fn choice_rules() {
        let size = ModifierGroup {
            id: ModifierGroupId(uuid::Uuid::from_bytes([100; 16])),
            name: "Size".into(),
            min_choices: 1,
            max_choices: 1,
            options: vec![opt(1, 0), opt(2, 5000)],
        };
        let extras = ModifierGroup {
            id: ModifierGroupId(uuid::Uuid::from_bytes([101; 16])),
            name: "Extras".into(),
            min_choices: 0,
            max_choices: 2,
            options: vec![opt(3, 8000), opt(4, 3000), opt(5, 2000)],
        };
        let groups = [size, extras];
        let id = |n: u8| ModifierOptionId(uuid::Uuid::from_bytes([n; 16]));
        let ok = resolve_choice(&groups, &[id(4), id(2)]).unwrap();
        assert_eq!(
            ok.iter().map(|c| c.option.as_str()).collect::<Vec<_>>(),
            ["o2", "o4"],
            "menu order"
        );
        assert!(resolve_choice(&groups, &[]).is_err(), "size is required");
        assert!(
            resolve_choice(&groups, &[id(1), id(2)]).is_err(),
            "one size only"
        );
        assert!(
            resolve_choice(&groups, &[id(1), id(3), id(4), id(5)]).is_err(),
            "at most two extras"
        );
        assert!(
            resolve_choice(&groups, &[id(1), id(1)]).is_err(),
            "no repeats"
        );
        assert!(
            resolve_choice(&groups, &[id(1), id(9)]).is_err(),
            "unknown option"
        );
        assert_eq!(resolve_choice(&[], &[]).unwrap(), vec![]);
    }
}
