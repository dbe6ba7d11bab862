/** Error sentences (`describeError`), shared by every feature. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "err.insufficient_stock": "Not enough {product}: {available} left",
  "err.payment": "{message} (due {due}, offered {offered})",
  "err.wrong_pin": "Wrong PIN. {n} attempts left.",
  "err.locked_out": "Locked until {time}.",
  "err.unknown": "Something went wrong: {message}",
};

export const id: Record<keyof typeof en, string> = {
  "err.insufficient_stock": "Stok {product} tidak cukup: sisa {available}",
  "err.payment": "{message} (tagihan {due}, dibayar {offered})",
  "err.wrong_pin": "PIN salah. Sisa {n} percobaan.",
  "err.locked_out": "Terkunci sampai {time}.",
  "err.unknown": "Terjadi kesalahan: {message}",
};
