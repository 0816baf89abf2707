// Crate root for Scarb only. wasm-cairo compiles lst_vault.cairo on its own, which is why that
// file uses relative (`super::`) paths throughout.
pub mod lst_vault;
