function UserDAO(db) {
  const usersCol = db.collection("users");

  this.addUser = (userName, firstName, lastName, password, email, callback) => {
    const user = {
      userName,
      firstName,
      lastName,
      password,
    };
    // ruleid: js-plaintext-password-storage
    usersCol.insert(user, callback);
  };

  this.addHashed = (userName, password, callback) => {
    const user = { userName, password: bcrypt.hashSync(password, bcrypt.genSaltSync()) };
    // ok: js-plaintext-password-storage
    usersCol.insert(user, callback);
  };

  this.reset = (id, newPassword) => {
    // ruleid: js-plaintext-password-storage
    usersCol.updateOne({ _id: id }, { $set: { password: newPassword } });
    // ok: js-plaintext-password-storage
    usersCol.updateOne({ _id: id }, { $set: { password: hashPassword(newPassword) } });
  };
}
