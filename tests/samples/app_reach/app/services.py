"""Services between the routes and the storage."""


class UserService:
    def __init__(self, repository):
        self.repository = repository

    def register(self, name):
        self.repository.add(name.strip().lower())
        return self.repository.count()
