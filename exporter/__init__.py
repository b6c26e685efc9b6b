"""The U.S. exporter's side: the request to CBP for assistance in a valuation or classification dispute with a
foreign customs administration (``request.py``; the WTO Customs Valuation Agreement's methods in
``valuation_agreement.json``)."""
from .request import (AssistRequest, FactsError, NoInvoice, draft_request, read_documents, read_facts,
                      write_request)

__all__ = ["AssistRequest", "FactsError", "NoInvoice", "draft_request", "read_documents", "read_facts",
           "write_request"]
