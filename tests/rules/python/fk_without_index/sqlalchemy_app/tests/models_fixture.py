from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

t = Table("t", MetaData(), Column("x_id", Integer, ForeignKey("x.id")))
