//! The menu as the till reads it, and as a manager keeps it (admin mode).

use kasir_core::catalog::{
    Category, CategoryDraft, CategoryId, ImportReport, ModifierGroupDraft, Product, ProductCard,
    ProductDraft, ProductId, ProductPage, ProductQuery, ProductTableQuery,
};
use tauri::State;

use super::{CmdResult, run};
use crate::state::Shared;

#[tauri::command]
#[specta::specta]
pub async fn list_categories(state: State<'_, Shared>) -> CmdResult<Vec<Category>> {
    run(&state, |k, a| k.catalog().list_categories(a, false)).await
}

/// Every category, inactive ones too, in menu order (admin mode).
#[tauri::command]
#[specta::specta]
pub async fn list_all_categories(state: State<'_, Shared>) -> CmdResult<Vec<Category>> {
    run(&state, |k, a| k.catalog().list_categories(a, true)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_category(
    state: State<'_, Shared>,
    draft: CategoryDraft,
) -> CmdResult<Category> {
    run(&state, move |k, a| k.catalog().create_category(a, draft)).await
}

/// Renames, moves or (de)activates a category. One with products is deactivated, never
/// deleted: there is no delete.
#[tauri::command]
#[specta::specta]
pub async fn update_category(
    state: State<'_, Shared>,
    id: CategoryId,
    draft: CategoryDraft,
) -> CmdResult<Category> {
    run(&state, move |k, a| {
        k.catalog().update_category(a, id, draft)
    })
    .await
}

/// Puts categories in this order, first shown first (the rest follow); returns them all.
#[tauri::command]
#[specta::specta]
pub async fn reorder_categories(
    state: State<'_, Shared>,
    order: Vec<CategoryId>,
) -> CmdResult<Vec<Category>> {
    run(&state, move |k, a| {
        k.catalog().reorder_categories(a, &order)
    })
    .await
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

/// A page of the manager's product table, with how many products match (admin mode).
#[tauri::command]
#[specta::specta]
pub async fn product_table(
    state: State<'_, Shared>,
    query: ProductTableQuery,
) -> CmdResult<ProductPage> {
    run(&state, move |k, a| k.catalog().product_table(a, &query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_product(state: State<'_, Shared>, draft: ProductDraft) -> CmdResult<Product> {
    run(&state, move |k, a| k.catalog().create_product(a, draft)).await
}

/// Saves a product's form; a price change is audited with the old and new price.
#[tauri::command]
#[specta::specta]
pub async fn update_product(
    state: State<'_, Shared>,
    id: ProductId,
    draft: ProductDraft,
) -> CmdResult<Product> {
    run(&state, move |k, a| k.catalog().update_product(a, id, draft)).await
}

/// The product form's save: creates (`id: null`) or updates a product and, when `groups` is
/// given, its modifier groups, in one transaction.
#[tauri::command]
#[specta::specta]
pub async fn save_product(
    state: State<'_, Shared>,
    id: Option<ProductId>,
    draft: ProductDraft,
    groups: Option<Vec<ModifierGroupDraft>>,
) -> CmdResult<Product> {
    run(&state, move |k, a| {
        k.catalog().save_product(a, id, draft, groups)
    })
    .await
}

/// Activates or deactivates the chosen products together; returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn set_products_active(
    state: State<'_, Shared>,
    ids: Vec<ProductId>,
    active: bool,
) -> CmdResult<u32> {
    run(&state, move |k, a| {
        k.catalog()
            .set_products_active(a, &ids, active)
            .map(|n| n as u32)
    })
    .await
}

/// Moves the chosen products to one category together; returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn move_products(
    state: State<'_, Shared>,
    ids: Vec<ProductId>,
    category: CategoryId,
) -> CmdResult<u32> {
    run(&state, move |k, a| {
        k.catalog()
            .move_products(a, &ids, category)
            .map(|n| n as u32)
    })
    .await
}

/// The menu as CSV, saved into the Downloads folder (made if missing) as
/// `kasir-menu-<date>.csv`; returns where it went.
#[tauri::command]
#[specta::specta]
pub async fn export_menu_csv(state: State<'_, Shared>) -> CmdResult<String> {
    let folder = state.export_dir();
    run(&state, move |k, a| {
        let bytes = k.catalog().export_csv(a)?;
        let date = k.settings().today()?;
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(format!("kasir-menu-{date}.csv"));
        std::fs::write(&path, bytes)?;
        Ok(path.display().to_string())
    })
    .await
}

/// What importing this CSV text would do, row by row; changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn preview_menu_import(
    state: State<'_, Shared>,
    text: String,
) -> CmdResult<ImportReport> {
    run(&state, move |k, a| {
        k.catalog().preview_import(a, text.as_bytes())
    })
    .await
}

/// Imports the CSV text's good rows in one transaction; `import-progress` events
/// (`{done, total}`) tell the screen how far it is.
#[tauri::command]
#[specta::specta]
pub async fn import_menu_csv(state: State<'_, Shared>, text: String) -> CmdResult<ImportReport> {
    let app = state.inner().clone();
    run(&state, move |k, a| {
        let progress = |done: u32, total: u32| {
            app.emit(
                "import-progress",
                serde_json::json!({ "done": done, "total": total }),
            );
        };
        k.catalog().import_csv(a, text.as_bytes(), &progress)
    })
    .await
}

/// A product's pictures, cover first (admin mode).
#[tauri::command]
#[specta::specta]
pub async fn product_pictures(state: State<'_, Shared>, id: ProductId) -> CmdResult<Vec<String>> {
    run(&state, move |k, a| k.catalog().product_pictures(a, id)).await
}

/// Adds a picture (a PNG, JPEG or WebP file as base64) after the product's others. Checked,
/// decoded and resized by the core before it takes the writer's lock.
#[tauri::command]
#[specta::specta]
pub async fn add_product_picture(
    state: State<'_, Shared>,
    id: ProductId,
    data: String,
) -> CmdResult<Vec<String>> {
    run(&state, move |k, a| {
        let bytes = decode_picture(&data)?;
        k.catalog().add_product_picture(a, id, &bytes)
    })
    .await
}

/// Puts a product's pictures in this order, leaving out the ones to remove.
#[tauri::command]
#[specta::specta]
pub async fn arrange_product_pictures(
    state: State<'_, Shared>,
    id: ProductId,
    order: Vec<String>,
) -> CmdResult<Vec<String>> {
    run(&state, move |k, a| {
        k.catalog().arrange_product_pictures(a, id, &order)
    })
    .await
}

/// The file's bytes from base64, refusing what could not be a picture the core accepts before
/// decoding it (a 10 MB file is at most 14 MB of base64).
pub(crate) fn decode_picture(data: &str) -> kasir_core::Result<Vec<u8>> {
    use base64::Engine;
    use kasir_core::catalog::images::MAX_IMAGE_BYTES;
    use kasir_core::{Error, Field, Rule};
    if data.len() > MAX_IMAGE_BYTES / 3 * 4 + 8 {
        return Err(Error::invalid(
            Field::Image,
            Rule::FileTooLarge {
                max_mb: (MAX_IMAGE_BYTES >> 20) as u32,
            },
        ));
    }
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| Error::invalid(Field::Image, Rule::ImageUnreadable))
}
