from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    comments = db.relationship("Comment", lazy=True)
    tags = db.relationship("Tag", lazy="joined")


def feed() -> list[int]:
    posts = Post.query.filter_by(user_id=1).all()
    return [len(p.comments) + len(p.tags) for p in posts]  # optimus-expect: orm-n-plus-one
