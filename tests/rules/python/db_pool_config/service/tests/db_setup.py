from sqlalchemy import create_engine

engine = create_engine("postgresql://test@localhost/test")  # test code is exempt
