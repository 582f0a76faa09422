//! Small builders shared by the migrations (foreign keys, named CHECKs, table drops).
//!
//! Only statement construction lives here; nothing here talks to a database.

use sea_orm_migration::prelude::*;

/// A named foreign key `from_table.from_col → to_table.id` with the given ON DELETE action
/// (`None` = the default NO ACTION).
pub(crate) fn fk(
    name: &'static str,
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
    on_delete: Option<ForeignKeyAction>,
) -> ForeignKeyCreateStatement {
    let mut stmt = ForeignKey::create();
    stmt.name(name).from(from_table, from_col).to(to_table, "id");
    if let Some(action) = on_delete {
        stmt.on_delete(action);
    }
    stmt
}

/// A named CHECK constraint with a portable SQL expression.
pub(crate) fn check(name: &'static str, sql: &'static str) -> Check {
    Check::named(name, Expr::cust(sql))
}

/// Drop the given tables in the given order.
pub(crate) async fn drop_tables(
    manager: &SchemaManager<'_>,
    tables: &[&'static str],
) -> Result<(), DbErr> {
    for table in tables {
        manager.drop_table(Table::drop().table(*table).to_owned()).await?;
    }
    Ok(())
}
