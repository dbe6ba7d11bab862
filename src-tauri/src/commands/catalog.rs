//! The menu as the till reads it.

use kasir_core::catalog::{Category, Product, ProductCard, ProductId, ProductQuery};
use tauri::State;

use super::{CmdResult, run};
use crate::state::Shared;

#[tauri::command]
#[specta::specta]
pub async fn list_categories(state: State<'_, Shared>) -> CmdResult<Vec<Category>> {
    run(&state, |k, a| k.catalog().list_categories(a, false)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_products(
    state: State<'_, Shared>,
    query: ProductQuery,
) -> CmdResult<Vec<ProductCard>> {
    run(&state, move |k, a| k.catalog().list_products(a, &query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn search_products(
    state: State<'_, Shared>,
    text: String,
    limit: u32,
) -> CmdResult<Vec<ProductCard>> {
    run(&state, move |k, a| {
        k.catalog().search_products(a, &text, limit, false)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn product(state: State<'_, Shared>, id: ProductId) -> CmdResult<Product> {
    run(&state, move |k, a| k.catalog().product(a, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn product_by_barcode(state: State<'_, Shared>, code: String) -> CmdResult<ProductCard> {
    run(&state, move |k, a| k.catalog().product_by_barcode(a, &code)).await
}
