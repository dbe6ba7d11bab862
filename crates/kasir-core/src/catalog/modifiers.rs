//! Modifier groups on a product (size, extras, sugar) and the check of a cashier's choice.

use std::collections::HashSet;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::{ProductId, load_product, report_product};
use crate::ids::id_type;
use crate::money::MAX_AMOUNT;
use crate::staff::{Actor, Permission, authorize};
use crate::{Error, Kasir, Money, Result, text};

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
    pub name: String,
    pub min_choices: u32,
    pub max_choices: u32,
    pub options: Vec<ModifierOptionDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModifierOptionDraft {
    pub name: String,
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
            "SELECT id, name, min_choices, max_choices FROM modifier_groups WHERE product_id = ?1 ORDER BY sort_order",
        )?
        .query_map([product], |r| {
            Ok(ModifierGroup { id: r.get(0)?, name: r.get(1)?, min_choices: r.get(2)?, max_choices: r.get(3)?, options: Vec::new() })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, price_delta FROM modifier_options WHERE group_id = ?1 ORDER BY sort_order",
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
        return Err(Error::invalid("modifiers", "an option was chosen twice"));
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
            let reason = if g.min_choices == g.max_choices {
                format!("choose {} for {}", g.min_choices, g.name)
            } else {
                format!(
                    "choose {} to {} for {}",
                    g.min_choices, g.max_choices, g.name
                )
            };
            return Err(Error::invalid("modifiers", reason));
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
        return Err(Error::invalid(
            "modifiers",
            "an option does not belong to this product",
        ));
    }
    Ok(out)
}

fn validate_group(g: &ModifierGroupDraft) -> Result<(String, Vec<(String, i64)>)> {
    let name = text::name("modifier_group", &g.name, 60)?;
    if g.options.is_empty() || g.options.len() > 50 {
        return Err(Error::invalid(
            "modifier_options",
            "a group has 1 to 50 options",
        ));
    }
    if g.max_choices == 0
        || g.min_choices > g.max_choices
        || g.max_choices as usize > g.options.len()
    {
        return Err(Error::invalid(
            "max_choices",
            "need 0 ≤ min ≤ max, 1 ≤ max ≤ number of options",
        ));
    }
    let options = g
        .options
        .iter()
        .map(|o| {
            if o.price_delta.unsigned_abs() > MAX_AMOUNT as u64 {
                return Err(Error::invalid("price_delta", "is too large"));
            }
            Ok((text::name("modifier_option", &o.name, 60)?, o.price_delta))
        })
        .collect::<Result<_>>()?;
    Ok((name, options))
}

impl Kasir {
    /// Replaces all of a product's modifier groups. Open tickets that hold an option that is
    /// gone are refused at checkout with a clear error.
    pub fn set_modifier_groups(
        &mut self,
        actor: &Actor,
        product: ProductId,
        groups: Vec<ModifierGroupDraft>,
    ) -> Result<super::Product> {
        authorize(&self.conn, actor, Permission::ManageCatalog)?;
        if groups.len() > 20 {
            return Err(Error::invalid("modifier_groups", "at most 20 groups"));
        }
        let clean = groups
            .iter()
            .map(validate_group)
            .collect::<Result<Vec<_>>>()?;
        let mins: Vec<u32> = groups.iter().map(|g| g.min_choices).collect();
        let maxes: Vec<u32> = groups.iter().map(|g| g.max_choices).collect();
        self.write(|tx, now| {
            load_product(tx, product)?;
            tx.execute("DELETE FROM modifier_groups WHERE product_id = ?1", [product])?;
            for (gi, (name, options)) in clean.iter().enumerate() {
                let gid = ModifierGroupId::new(now);
                tx.prepare_cached(
                    "INSERT INTO modifier_groups (id, product_id, name, min_choices, max_choices, sort_order)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![gid, product, name, mins[gi], maxes[gi], gi as i64])?;
                for (oi, (oname, delta)) in options.iter().enumerate() {
                    tx.prepare_cached(
                        "INSERT INTO modifier_options (id, group_id, name, price_delta, sort_order) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![ModifierOptionId::new(now), gid, oname, delta, oi as i64])?;
                }
            }
            report_product(tx, now, product)
        })
    }
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
