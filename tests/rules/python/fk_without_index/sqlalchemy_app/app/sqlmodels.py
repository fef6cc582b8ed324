from sqlmodel import Field, SQLModel


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")  # optimus-expect: fk-without-index
    city_id: int | None = Field(default=None, foreign_key="city.id", index=True)
    name: str = Field(index=True)
