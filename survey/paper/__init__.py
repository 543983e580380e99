"""On paper: printable questionnaires and flyers, drawn with the shared PDF toolkit."""
