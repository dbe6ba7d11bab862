//! Example payloads for tests and benchmarks (feature `fixtures`): a sale of chosen lines,
//! a product, a category, built the way a terminal builds them.

use jiff::Timestamp;
use uuid::Uuid;

use crate::{
    Category, Envelope, Order, OrderLine, OrderStatus, OrderType, Payload, Payment, PaymentMethod,
    Product, Sale, StockTaken, VERSION,
};

/// A paid cash sale of `lines` (product, quantity, unit price), every product tracked.
pub fn sale(order_id: Uuid, receipt_no: &str, at: Timestamp, lines: &[(Uuid, i64, i64)]) -> Sale {
    let order_lines: Vec<OrderLine> = lines
        .iter()
        .map(|&(product_id, quantity, price)| OrderLine {
            product_id,
            product_name: format!("Produk {}", &product_id.simple().to_string()[24..]),
            category_name: "Kopi".into(),
            base_price: price,
            unit_price: price,
            modifiers: vec![],
            note: String::new(),
            quantity,
            gross: price * quantity,
            line_discount: 0,
            order_discount: 0,
            service: 0,
            tax: 0,
            total: price * quantity,
        })
        .collect();
    let total: i64 = order_lines.iter().map(|l| l.total).sum();
    Sale {
        order: Order {
            id: order_id,
            receipt_no: receipt_no.into(),
            terminal: receipt_no.split('-').next().unwrap_or("T01").into(),
            staff_id: Uuid::from_u128(7),
            staff_name: "Sari".into(),
            order_type: OrderType::Takeaway,
            label: String::new(),
            status: OrderStatus::Pending,
            subtotal: total,
            order_discount: 0,
            service: 0,
            tax: 0,
            rounding: 0,
            total,
            paid: total,
            change: 0,
            tax_rate_bp: 0,
            service_rate_bp: 0,
            prices_include_tax: false,
            currency: "IDR".into(),
            minor_unit: 0,
            discount_approved_by: None,
            shift_id: None,
            member_id: None,
            delivery_address: None,
            business_date: at.to_zoned(jiff::tz::TimeZone::UTC).date(),
            created_at: at,
            lines: order_lines,
            payments: vec![Payment {
                method: PaymentMethod::Cash,
                amount: total,
                tendered: total,
                change: 0,
                reference: None,
            }],
        },
        stock_movements: lines
            .iter()
            .map(|&(product_id, quantity, _)| StockTaken {
                product_id,
                quantity,
            })
            .collect(),
    }
}

pub fn category(id: Uuid, name: &str) -> Category {
    Category {
        id,
        name: name.into(),
        sort_order: 1,
        active: true,
    }
}

pub fn product(id: Uuid, category_id: Uuid, name: &str, price: i64) -> Product {
    Product {
        id,
        category_id,
        name: name.into(),
        description: String::new(),
        price,
        stock: Some(100),
        low_stock_warning: None,
        low_stock_critical: None,
        active: true,
        barcode: None,
        featured: false,
        tags: vec![],
        image_id: None,
        pictures: vec![],
        modifier_groups: vec![],
    }
}

/// An envelope as a terminal writes it.
pub fn envelope(terminal: &str, seq: i64, at: Timestamp, payload: Payload) -> Envelope {
    Envelope {
        v: VERSION,
        id: Uuid::now_v7(),
        terminal: terminal.into(),
        seq,
        created_at: at,
        payload,
    }
}

/// A shop's settings, named.
pub fn settings(shop_name: &str, initial: bool) -> crate::ShopSettings {
    crate::ShopSettings {
        shop_name: shop_name.into(),
        shop_address: String::new(),
        currency: "IDR".into(),
        minor_unit: 0,
        locale: "id-ID".into(),
        time_zone: "Asia/Jakarta".into(),
        tax_rate_bp: 1_000,
        service_rate_bp: 500,
        prices_include_tax: false,
        cash_rounding: 100,
        receipt_header: String::new(),
        receipt_footer: String::new(),
        tax_number: String::new(),
        auto_lock_minutes: 5,
        require_open_shift: true,
        initial,
    }
}
