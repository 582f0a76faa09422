//! `package_group_relation`: membership of base packages in package groups. Row shape only.

use sea_orm::entity::prelude::*;

/// A membership row (composite primary key).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "package_group_relation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub group_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub base_id: i32,
}

/// Relations of `package_group_relation`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::package_group::Entity",
        from = "Column::GroupId",
        to = "super::package_group::Column::Id",
        on_delete = "Cascade"
    )]
    Group,
    #[sea_orm(
        belongs_to = "super::base_package::Entity",
        from = "Column::BaseId",
        to = "super::base_package::Column::Id",
        on_delete = "Cascade"
    )]
    BasePackage,
}

impl Related<super::package_group::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Group.def()
    }
}

impl Related<super::base_package::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BasePackage.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
