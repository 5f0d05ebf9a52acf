module.exports = function updateProductReviews() {
  return (req, res) => {
    // ruleid: js-nosql-operator-injection
    db.reviewsCollection.update({ _id: req.body.id }, { $set: { message: req.body.message } });
    // ok: js-nosql-operator-injection
    db.reviewsCollection.update({ _id: String(req.body.id) }, { $set: { message: req.body.message } });
    // ruleid: js-nosql-operator-injection
    User.findOne({ email: req.body.email, password: req.body.password });
    // ok: js-nosql-operator-injection
    User.findOne({ email: "admin@example.test" });
  };
};
