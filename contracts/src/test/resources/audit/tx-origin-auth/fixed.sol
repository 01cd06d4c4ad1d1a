pragma solidity ^0.5.0;

contract Vault {
    address payable public keeper;

    constructor() public {
        keeper = msg.sender;
    }

    function() external payable {}

    function sweep(address payable to) public {
        require(msg.sender == keeper, "keeper only");
        // Refusing contract callers is not authorisation and stays allowed.
        require(tx.origin == msg.sender, "no relays");
        to.transfer(address(this).balance);
    }
}
