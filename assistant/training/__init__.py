"""Training the answerer's models from question sets, with grouped cross-validation and
leave-one-document-out figures (``assistant train``)."""
