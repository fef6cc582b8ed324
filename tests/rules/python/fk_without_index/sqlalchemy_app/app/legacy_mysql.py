"""Models of the MySQL reporting database: InnoDB indexes foreign keys itself."""
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Sale(Base):
    __tablename__ = "sale"
    __table_args__ = {"mysql_engine": "InnoDB"}
    id = Column(Integer, primary_key=True)
    store_id = Column(Integer, ForeignKey("store.id"))
